"""No 5xx on hostile input, anywhere: every URL pattern the project routes (the admin's included),
anonymously and as each role, with hostile path arguments, query strings and posted forms.

The resolver is walked, not a list kept by hand, so a new page is swept the day it is routed.
Hostile means: a NUL character, numbers beyond any column (and not numbers at all), dates at and
beyond the calendar's ends, the admin's date drill-down out of range, huge texts, a foreign `next`.
Each answer must be below 500; an exception inside a view fails the test with its traceback.
"""

import re
import traceback

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.conftest import log_in_verified
from tests.factories import UserFactory
from tests.pages.test_authorization_matrix import MODEL_BACKEND, scene  # noqa: F401 - the fixture

NUL = "\x00"
HUGE_NUMBER = "99999999999999999999"
# Path arguments by converter: each set is tried on every pattern.
PATH_VALUES = {
    "int": ["0", HUGE_NUMBER],
    "str": ["x" + NUL + "y", "a" * 3000, "not-a-token"],
    "path": ["abc", HUGE_NUMBER, "1" + NUL, "../../etc/passwd"],
    "slug": ["a" * 500],
}
# What the pages and the admin read from a query string, and the usual suspects, all wrong.
QUERY = {
    "q": "x" * 5000 + "'\"<>%_\\",
    "day": "9999-12-31",
    "by": "nobody",
    "page": HUGE_NUMBER,
    "patient": "abc",
    "modality": "1e309",
    "therapist": "-1",
    "course": HUGE_NUMBER,
    "days": "99999",
    "next": "//evil.example/",
    "user": "x" * 300,
    "o": "abc.-x.999",
    "p": "-1",
    "e": "1",
    "_popup": "1",
    "_changelist_filters": "a=%00&b",
    "all": "",
    "term": "x" * 1000,
    "app_label": "auth",
    "model_name": "user",
    "field_name": "password",
    "starts_at__gte": "0000-00-00",
    "date_from": "0001-01-01",
    "date_to": "9999-12-31",
}
# At the edges: the admin's date drill-down beyond the calendar, a NUL, the first and last days.
EDGE_QUERIES = [
    {"starts_at__year": "99999"},
    {"starts_at__year": "9999", "starts_at__month": "12"},
    {"starts_on__year": "2024", "starts_on__month": "2", "starts_on__day": "31"},
    {"timestamp__year": "-1"},
    {"_to_field": "password", "_popup": "1"},
    {"day": "0001-01-01"},
    {"day": "9999-12-31", "q": NUL},
]
FORM = {
    "patient": "abc",
    "user": "abc",
    "therapist": HUGE_NUMBER,
    "modality": "1e309",
    "room": "-1",
    "course": "abc",
    "diagnosis": "abc",
    "appointment": HUGE_NUMBER,
    "slot": "garbage|x|y",
    "day": "0001-01-01",
    "starts_on": "9999-12-31",
    "ends_on": "0000-00-00",
    "starts_at_0": "9999-12-31",
    "starts_at_1": "25:61",
    "performed_on": "9999-12-31",
    "diagnosed_on": "0001-01-01",
    "effective_from": "9999-12-31T23:59",
    "date_of_birth": "0001-01-01",
    "minutes": "1e309",
    "pain_before": "-1",
    "pain_after": HUGE_NUMBER,
    "sessions": HUGE_NUMBER,
    "subjective": "x" * 20_000,
    "text": "x" * 20_000,
    "reason": "x" * 20_000,
    "findings": "x" * 20_000,
    "action": "delete_selected",
    "_selected_action": ["abc", HUGE_NUMBER],
    "select_across": "1",
    "index": "0",
    "post": "yes",
    "code": "x" * 100,
    "next": "//evil.example/",
    "username": "x" * 20_000,
    "password": "x" * 5000,
    "email": "a@" + "b" * 300 + ".example",
    "confirm_warnings": "on",
    "status": "nonsense",
    "areas_treated": ["nowhere:left"],
}
# Posting here would end the session the sweep goes on with.
NOT_POSTED = {"logout"}
ROLES = ["anonymous", "patient_a", "therapist_treating", "receptionist", "manager", "superuser"]
# The admin sends everyone but staff to its log-in page before any of its views runs.
ADMIN_ROLES = {"anonymous", "manager", "superuser"}


def _patterns():
    """Every routed pattern: (namespaced name or route, full route, {argument: converter name})."""

    def walk(patterns, prefix: str, namespace: str, converters: dict):
        for pattern in patterns:
            here = dict(converters)
            route = str(pattern.pattern)
            if isinstance(pattern.pattern, RoutePattern):
                here.update({name: _converter_name(conv) for name, conv in pattern.pattern.converters.items()})
            elif isinstance(pattern.pattern, RegexPattern):
                here.update({name: "regex" for name in re.compile(pattern.pattern._regex).groupindex})
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + route, inner, here)
            elif isinstance(pattern, URLPattern):
                yield (f"{namespace}{pattern.name}" if pattern.name else prefix + route), prefix + route, here

    return list(walk(get_resolver().url_patterns, "", "", {}))


def _converter_name(converter) -> str:
    return {"IntConverter": "int", "StringConverter": "str", "PathConverter": "path", "SlugConverter": "slug"}.get(
        type(converter).__name__, "str"
    )


def _fill(route: str, arguments: dict[str, str], values: dict[str, str]) -> str | None:
    """The route with each argument replaced; regex routes (the admin's) get a value they accept."""
    path = route
    for name, kind in arguments.items():
        if kind == "regex":
            continue
        value = values.get(kind, "1")
        path = re.sub(rf"<(?:\w+:)?{name}>", lambda _m, v=value: v, path)
    if "^" in path or "(?P" in path or "\\" in path:
        path = _fill_regex(path)
        if path is None:
            return None
    return "/" + path.lstrip("/")


def _fill_regex(route: str) -> str | None:
    # The admin's app index: ^(?P<app_label>auth|clinic|...)/$ ; its shortcut: r/<ct>/<object>/.
    route = re.sub(r"\(\?P<app_label>([^)]*)\)", lambda m: m.group(1).split("|")[0], route)
    route = re.sub(r"\(\?P<\w+>\\d\+\)", "1", route)
    route = re.sub(r"\(\?P<\w+>\.\+\)", "1", route)
    route = re.sub(r"\(\?P<\w+>\.\*\)", "no-such-page/", route)
    route = route.replace("^", "").replace("$", "")
    return None if re.search(r"[()\\\[\]?*+]", route) else route


def _variants(route: str, arguments: dict[str, str]):
    """(method, path, data) to send to one pattern."""
    valid = _fill(route, arguments, {})
    if valid is None:
        return
    for index in range(max(len(values) for values in PATH_VALUES.values())):
        hostile = {kind: values[index % len(values)] for kind, values in PATH_VALUES.items()}
        path = _fill(route, arguments, hostile)
        if path is not None and arguments:
            yield "GET", path, None
    yield "GET", valid, QUERY
    for edge in EDGE_QUERIES:
        yield "GET", valid, edge
    yield "POST", valid, FORM
    yield "POST", valid, {**FORM, "reason": "x" + NUL}


@pytest.fixture
def sessions(scene):  # noqa: F811 - the matrix's scene, imported above
    users, objects = scene
    users = {**users, "superuser": UserFactory(username="root", is_staff=True, is_superuser=True)}
    cookies = {}
    for role in ROLES:
        if role == "anonymous":
            continue
        client = Client()
        log_in_verified(client, users[role], backend=MODEL_BACKEND)
        cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def _client(role: str, cookies: dict) -> Client:
    client = Client(raise_request_exception=True)
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = cookies[role]
    return client


def sweep(send, wanted) -> tuple[list[str], int]:
    """Send every variant of every pattern `wanted(name, route, method)` keeps through
    `send(method, path, data)`: the failures (a 5xx, or an exception with its traceback) and how
    many requests went. The API's sweep (tests/api/test_hostile_input.py) sends with tokens."""
    failures = []
    sent = 0
    for name, route, arguments in _patterns():
        for method, path, data in _variants(route, arguments):
            if not wanted(name, route, method):
                continue
            sent += 1
            try:
                response = send(method, path, data)
            except Exception as error:  # noqa: BLE001 - every escape is a finding, reported together
                failures.append(f"{method} {path[:120]!r} ({name}): {error!r}\n{traceback.format_exc(limit=-3)}")
                continue
            if response.status_code >= 500:
                failures.append(f"{method} {path[:120]!r} ({name}): {response.status_code}")
    return failures, sent


@pytest.mark.parametrize("role", ROLES)
def test_no_url_answers_hostile_input_with_a_server_error(role, sessions):
    def wanted(name, route, method) -> bool:
        if route.startswith("admin/") and role not in ADMIN_ROLES:
            return False
        return not (method == "POST" and name in NOT_POSTED)

    def send(method, path, data):
        client = _client(role, sessions)
        if method == "GET":
            return client.get(path, data or {}, secure=True)
        return client.post(path, data, secure=True)

    failures, sent = sweep(send, wanted)
    assert sent > 200
    assert not failures, f"{len(failures)} of {sent} requests as {role} failed:\n" + "\n".join(failures[:20])


def test_the_sweep_reaches_every_pattern():
    patterns = _patterns()
    unreachable = [name for name, route, arguments in patterns if _fill(route, arguments, {}) is None]
    assert len(patterns) > 100
    assert not unreachable, unreachable
