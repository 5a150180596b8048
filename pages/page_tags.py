"""Template tags every page may use: `{% load pages %}` (registered in settings.TEMPLATES).

- `{% nav_link "reception:day_board" "Day board" %}`: a navigation item, marked as the current
  page (`aria-current="page"`, Bootstrap's `active`) when the request is for that URL.
- `{{ appointment|course_position }}`: "Session 3 of 10", or for a session that does not count
  towards its course "Not counted in the course of 10" (sessions.course_progress.course_position,
  from the `session_number` that annotate_course_position set).
- `{{ address|email_breaks }}`: an e-mail address that a narrow column wraps after its @ and its
  dots (`<wbr>`), never in the middle of a name.
- `{% for number in page_obj|page_links %}`: the page numbers to link from a page of a list, the
  current one among them (pages.paging.page_links).
- `{{ form.field|as_field }}`: crispy-forms' `as_crispy_field` markup, written in Python for a
  select or a one-line input (pages.field_html), through crispy for any other widget.
"""

import re

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from clinic import roles
from pages import kept_pages, paging
from pages.field_html import field_html, handled
from sessions import course_progress

register = template.Library()

_BREAK_AFTER = re.compile(r"([@.])")


@register.simple_tag(takes_context=True)
def top_bar(context, links: bool = True) -> SafeString:
    """The top bar (includes/top_bar.html): the brand, with `links` the navigation the reader's
    roles give, their menu and the log-out form; kept for the reader (pages.kept_pages.top_bar)."""
    request, user = context.get("request"), context.get("user")

    def draw() -> str:
        with context.push(nav_links=links):
            return context.template.engine.get_template("includes/top_bar.html").render(context)

    if request is None or user is None:
        return mark_safe(draw())
    # Everything the bar reads of its reader; anything else it read would be served unchanged.
    reader = (
        user.is_authenticated,
        (user.get_full_name() or user.get_username()) if user.is_authenticated else "",
        user.is_staff,
        *(context.get(role) for role in ("is_manager", "is_receptionist", "is_therapist", "is_patient")),
        links,
    )
    return mark_safe(kept_pages.top_bar(request, reader, draw))


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str, menu: bool = False) -> SafeString:
    """A link of the top bar (or, with `menu`, of its account menu), marked when it is the page shown."""
    url = reverse(url_name)
    request = context.get("request")
    current = request is not None and request.path == url
    item, link = ("", "dropdown-item") if menu else ("nav-item", "nav-link")
    if current:
        return format_html(
            '<li class="{}"><a class="{} active" aria-current="page" href="{}">{}</a></li>', item, link, url, label
        )
    return format_html('<li class="{}"><a class="{}" href="{}">{}</a></li>', item, link, url, label)


@register.filter
def fields(form, names: str) -> list:
    """The bound fields `names` (space-separated) of `form`, for a page that lays them out alike:
    {% for field in form|fields:"day time" %}."""
    return [form[name] for name in names.split()]


@register.filter
def as_field(field) -> SafeString:
    return field_html(field) if handled(field) else as_crispy_field(field)


@register.filter(is_safe=True)
def email_breaks(address) -> SafeString:
    """`anna.maria@example.org` -> `anna.<wbr>maria@<wbr>example.<wbr>org` (escaped first)."""
    return mark_safe(_BREAK_AFTER.sub(r"\1<wbr>", str(conditional_escape(address))))


@register.filter
def course_position(appointment) -> str:
    return course_progress.course_position(
        number=getattr(appointment, "session_number", None), session_range=appointment.course.session_range
    )


@register.filter
def page_links(page) -> list:
    return paging.page_links(page)


@register.filter
def role_labels(user) -> str:
    """The user's roles in the reader's language (clinic.roles.role_labels)."""
    return roles.role_labels(user)
