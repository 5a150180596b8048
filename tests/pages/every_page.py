"""Every HTML page a role can open: those of the authorization matrix that answer it 200 to a GET,
Django's log-in and password pages, and for the manager the admin (its index, each app, every
changelist, add form and change form). The accessibility test checks each with axe-core; the
languages test renders each in German and Russian."""

from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from tests.conftest import log_in_verified
from tests.pages.test_authorization_matrix import MATRIX, MODEL_BACKEND, _url, project_url_names

SIGNED_OUT_PAGES = ("login", "password_reset", "password_reset_done", "password_reset_complete")
SIGNED_IN_PAGES = ("password_change", "password_change_done")


def admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    labels = sorted({model._meta.app_label for model in admin.site._registry})
    urls += [reverse("admin:app_list", kwargs={"app_label": label}) for label in labels]
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{info}_changelist"), reverse(f"{info}_add")]
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(reverse(f"{info}_change", args=[obj.pk]))
    return urls


def page_responses(role: str, users: dict, objects: dict, language: str | None = None):
    """(url, response) for every page `role` might open, asked for in `language` (the chooser's cookie)."""
    names = [name for name, row in MATRIX.items() if row.method == "GET" and row.expected()[role] == 200]
    urls = [_url(name, MATRIX[name], role, objects) for name in names if name in project_url_names()]
    client = Client()
    if language is not None:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if role == "anonymous":
        urls += [reverse(name) for name in SIGNED_OUT_PAGES]
    else:
        urls += [reverse(name) for name in SIGNED_IN_PAGES]
        log_in_verified(client, users[role], backend=MODEL_BACKEND)
    if role == "manager":
        urls += admin_urls()
    for url in urls:
        yield url, client.get(url, secure=True)


def is_page(response) -> bool:
    """A whole HTML document answered 200: an htmx fragment (the audit log's name suggestions)
    is checked inside the page that shows it."""
    html = response["Content-Type"].startswith("text/html") and b"<html" in response.content
    return response.status_code == 200 and html


def pages_of(role: str, users: dict, objects: dict) -> list[str]:
    """The HTML pages that answer `role` 200 to a GET."""
    return [url for url, response in page_responses(role, users, objects) if is_page(response)]
