"""A form field in Bootstrap 5's markup, written in Python: what crispy-forms' `as_crispy_field`
writes for a select or a one-line input (label, widget, errors, help text), without the dozen
templates it renders per field. The booking page shows five such fields on every request, and
crispy's templates were a fifth of its time (docs/PERFORMANCE.md). Other widgets (check boxes,
radio buttons, files, hidden inputs) go to crispy as before.
tests/pages/test_field_html.py compares the two outputs field by field."""

from django import forms
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Left to crispy: their markup differs (a check box with its label after it, radios as a group).
_OTHER_WIDGETS = (
    forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput, forms.MultiWidget,
)  # fmt: skip


def handled(field: BoundField) -> bool:
    """Whether field_html writes this field (a select or a one-line input with a label)."""
    widget = field.field.widget
    return not (field.is_hidden or isinstance(widget, _OTHER_WIDGETS) or field.use_fieldset or not field.label)


def field_html(field: BoundField) -> SafeString:
    """The field as crispy's bootstrap5/field.html writes it, with the widget's classes added the
    way crispy adds them (its class name in lower case, then form-select or form-control, then
    is-invalid when the field has errors)."""
    widget = field.field.widget
    # crispy's CrispyFieldNode: the class name unless the classes already contain it as text,
    # then each bootstrap class not among them yet.
    name = type(widget).__name__.lower()
    css = widget.attrs.get("class", "")
    css = (css if name in css else f"{css} {name}") if css else name
    bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
    for extra in (bootstrap, "is-invalid") if field.errors else (bootstrap,):
        if extra not in css.split():
            css = f"{css} {extra}"
    widget.attrs["class"] = css
    required = field.field.required
    wrapper = "mb-3" + (f" {field.css_classes()}" if field.css_classes() else "")
    label = format_html(
        '<label for="{}" class="form-label{}">{}{}</label>',
        field.id_for_label,
        " requiredField" if required else "",
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
    )
    errors = ""
    if field.errors:
        errors = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.errors.field_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((number, field.auto_id, error) for number, error in enumerate(field.errors, start=1)),
            ),
        )
    help_text = ""
    if field.help_text:
        help_text = format_html(
            '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, mark_safe(field.help_text)
        )
    return format_html(
        '<div id="div_{}" class="{}">{}{}{}{}</div>',
        field.auto_id,
        wrapper,
        label,
        field.as_widget(),
        errors,
        help_text,
    )
