"""Browser tests: Playwright for Python driving the system Chromium against pytest-django's live_server.

Playwright's own browser download does not work here, so the Debian package's /usr/bin/chromium is
launched. Every page the tests reach is checked with axe-core (node_modules/axe-core, `npm ci`; see
"axe-core on every page" below). Without Chromium or axe-core these tests skip, except under
CI_REQUIRE_BROWSER=1, where they fail: CI must not pass by silently skipping them.
"""

import importlib
import os
import re
import weakref
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import django.apps
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from clinic import roles
from clinic.catalogue import DEFAULT_MODALITIES
from clinic.models import Modality
from patients.models import ContraindicationRule, RuleCondition
from patients.rules import DEFAULT_RULES
from tests import axe_report
from tests.factories import PASSWORD, RoomFactory, UserFactory, therapist_named

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
BROWSER_DIR = Path(__file__).resolve().parent
# axe-core, from package.json/package-lock.json (`npm ci`); never a CDN.
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# A finding of these impacts fails the test that reached the page; the others are only counted.
AXE_FAILING = ("critical", "serious")
# Actions and expect(): long enough for a loaded CI machine, short enough to fail fast.
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so the page fixture can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- axe-core on every page the browser tests reach ---------------------------------------------
#
# Before each action (goto, click, fill, press, select...) and after each goto, the page's
# current document is checked once with axe-core, so every page a test visits, and the page each
# form submission leads to, is checked; a serious or critical finding fails the test there. The
# counts per page are printed at the end of the session and written to artifacts/axe.json
# (tests/axe_report.py, which gathers them from every test process).
#
# axe goes in through page.evaluate() with the source of node_modules/axe-core/axe.min.js:
# page.add_script_tag(path=...) adds an inline <script>, which the app's CSP refuses (as it
# should), and bypass_csp would blind tests/browser/test_csp.py.

_AXE_CHECKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # page or keyboard (impl) -> check
# Transitions are run to their end first: a colour judged half-way through a hover or focus
# transition (where the last click left the pointer) is no colour a reader sees for long.
_AXE_RUN = """async () => {
    for (const animation of document.getAnimations()) {
        try { animation.finish(); } catch (endless) { /* an infinite animation has no end */ }
    }
    const results = await axe.run(document, {resultTypes: ["violations"]});
    window.__axeChecked = location.href;
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
        targets: v.nodes.slice(0, 5).map(node => node.target.join(" ")),
        summary: v.nodes.length ? v.nodes[0].failureSummary : "",
    }));
}"""
_AXE_STATE = """() => ({
    html: document.contentType === "text/html",
    checked: window.__axeChecked === location.href,
    loaded: typeof window.axe === "object",
})"""
_PAGE_ACTIONS = ("click", "dblclick", "fill", "press", "type", "check", "uncheck", "set_checked", "select_option")
_LOCATOR_ACTIONS = (*_PAGE_ACTIONS, "tap", "press_sequentially", "clear", "set_input_files")
_NAVIGATIONS = ("goto", "reload", "go_back", "go_forward")
_KEYBOARD_ACTIONS = ("press", "type", "insert_text")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now: its violations, each with id, impact, help, nodes, targets.

    A rule counts only when it is broken in two runs 250 ms apart: once in CI a navbar button was
    judged against the page's background instead of the bar's, a layout caught while it settled,
    which no reader sees. A page that breaks a rule breaks it both times."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    first = page.evaluate(_AXE_RUN)
    if not first:
        return first
    page.wait_for_timeout(250)
    broken_before = {violation["id"] for violation in first}
    return [violation for violation in page.evaluate(_AXE_RUN) if violation["id"] in broken_before]


def _axe_source() -> str:
    if not hasattr(_axe_source, "text"):
        _axe_source.text = AXE_JS.read_text(encoding="utf-8")  # the browser fixture checked it is there
    return _axe_source.text


def axe_record(page, violations: list[dict]) -> None:
    """Count the violations by impact for the page's URL and width; fail on a serious or critical one."""
    url = urlsplit(page.url)
    key = (url.path + (f"?{url.query}" if url.query else ""), page.viewport_size["width"])
    axe_report.count(
        key,
        Counter(violation["impact"] for violation in violations),
        (f"{violation['impact']} {violation['id']}" for violation in violations),
    )
    failing = [violation for violation in violations if violation["impact"] in AXE_FAILING]
    if failing:
        lines = [
            f"  {v['impact']}: {v['id']} ({v['help']}), {v['nodes']} element(s): {', '.join(v['targets'])}"
            f"\n    first: {' '.join(v['summary'].split())}"
            for v in failing
        ]
        pytest.fail(f"axe-core on {key[0]} at {key[1]} px:\n" + "\n".join(lines), pytrace=False)


class _AxeCheck:
    """Checks the page's current document once (a document is known by its URL, so a pushed URL counts anew)."""

    def __init__(self, page):
        self.page = page
        self.running = False

    def __call__(self) -> None:
        if self.running or not self.page.url.startswith("http"):
            return
        self.running = True
        try:
            self._check()
        finally:
            self.running = False

    def _check(self) -> None:
        from playwright.sync_api import Error

        for attempt in range(3):
            try:
                self.page.wait_for_load_state("load")
                state = self.page.evaluate(_AXE_STATE)
                if not state["html"] or state["checked"]:
                    return
                violations = axe_violations(self.page)
            except Error as error:
                # A navigation started meanwhile: check the document it leads to instead.
                if attempt < 2 and ("context was destroyed" in error.message or "navigat" in error.message):
                    continue
                raise
            axe_record(self.page, violations)
            return


def _axe_before(owner_of):
    def wrap(method):
        def checked(self, *args, **kwargs):
            check = _AXE_CHECKS.get(owner_of(self)._impl_obj)
            if check is not None:
                check()
            return method(self, *args, **kwargs)

        return checked

    return wrap


def _axe_after_navigation(method):
    def checked(self, *args, **kwargs):
        check = _AXE_CHECKS.get(self._impl_obj)
        if check is not None:
            check()
        response = method(self, *args, **kwargs)
        if check is not None:
            check()
        return response

    return checked


def _axe_hooks_install(patch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import Keyboard, Locator, Page

    for name in _PAGE_ACTIONS:
        patch.setattr(Page, name, _axe_before(lambda page: page)(getattr(Page, name)))
    for name in _NAVIGATIONS:
        patch.setattr(Page, name, _axe_after_navigation(getattr(Page, name)))
    for name in _LOCATOR_ACTIONS:
        patch.setattr(Locator, name, _axe_before(lambda locator: locator.page)(getattr(Locator, name)))
    for name in _KEYBOARD_ACTIONS:
        patch.setattr(Keyboard, name, _axe_before(lambda keyboard: keyboard)(getattr(Keyboard, name)))


@pytest.fixture(scope="session")
def browser():
    for needed, message in (
        (CHROMIUM, f"{CHROMIUM} is missing: install the Debian package chromium"),
        (AXE_JS, f"{AXE_JS.relative_to(ROOT)} is missing: run `npm ci` at the repository root"),
    ):
        if not needed.exists():
            if os.environ.get("CI_REQUIRE_BROWSER") == "1":
                pytest.fail(f"CI_REQUIRE_BROWSER=1 and {message}", pytrace=False)
            pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with pytest.MonkeyPatch.context() as patch:
        # While Playwright's sync API runs, an event loop is running in this thread, and Django
        # refuses ORM calls from the test body and from the flush between tests. Nothing here is
        # async (the live server answers from its own threads), so lift the check until it stops.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        _axe_hooks_install(patch)
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
        finally:
            # Connections opened while Playwright ran may belong to its context: close them now.
            connections.close_all()
            playwright.stop()


@pytest.fixture(scope="session")
def date_keys(browser):
    """date_keys(day) -> the digits a keyboard user types into an <input type=date> for `day`.

    The order of the day, month and year segments follows the browser's build and locale, not
    the page (Debian's Chromium shows mm/dd/yyyy whatever locale the context asks for), so ask
    the browser once.
    """
    page = browser.new_page()
    page.set_content('<input type="date" id="probe">')
    page.focus("#probe")
    page.keyboard.type("01022030")
    order = {"2030-01-02": "%m%d%Y", "2030-02-01": "%d%m%Y"}.get(page.input_value("#probe"))
    page.close()
    if order is None:
        pytest.fail("cannot tell the order of this browser's date segments", pytrace=False)
    return lambda day: day.strftime(order)


def _open_page(browser, request, viewport: dict):
    """A fresh context per test: no cookies or storage shared between tests."""
    # Reduced motion: Bootstrap then skips its colour transitions, so axe never measures a button
    # half-way into its hover colours (the pointer stays where the last click left it).
    context = browser.new_context(
        viewport=viewport, locale="en-GB", timezone_id="Europe/Berlin", reduced_motion="reduce"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    # A script error or a server error fails the test even when the page still looks right.
    problems: list[str] = []

    def on_response(response) -> None:
        if response.status >= 500:
            problems.append(f"HTTP {response.status} from {response.url}")

    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("response", on_response)
    check = _AXE_CHECKS[page._impl_obj] = _AXE_CHECKS[page.keyboard._impl_obj] = _AxeCheck(page)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _save(page, request.node.name, "failure")
    elif report is not None:
        # The page the test ended on.
        try:
            check()
        except pytest.fail.Exception as failure:
            problems.append(str(failure))
    context.close()
    if problems:
        pytest.fail("The browser saw: " + "; ".join(problems), pytrace=False)


@pytest.fixture
def page(browser, request):
    yield from _open_page(browser, request, DESKTOP)


@pytest.fixture
def tablet_page(browser, request):
    yield from _open_page(browser, request, {"width": 768, "height": 1024})


@pytest.fixture
def phone_page(browser, request):
    yield from _open_page(browser, request, PHONE)


def _save(page, test_name: str, step: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', test_name)}-{step}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step") saves artifacts/screenshots/<test name>-<step>.png."""
    return lambda page, step: _save(page, request.node.name, step)


def submit_login(page, username: str, password: str = PASSWORD, *, screenshot=None) -> None:
    """On the login page: type the username and the password and press Enter; with `screenshot`,
    the filled form is saved as step "1-login" first."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    if screenshot is not None:
        screenshot(page, "1-login")
    page.get_by_label("Password").press("Enter")


def totp_code(device, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for `device` now, or `steps_ahead` periods later (a
    code is accepted once: the next period's is what a second log-in types)."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def pass_second_factor(page, user, *, steps_ahead: int = 1) -> None:
    """On the verification step after the password (managers and superusers always get it):
    type the code of the user's enrolled authenticator app, as they would."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Code").fill(totp_code(device, steps_ahead))
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def karin(clinic_defaults):
    """Karin Albrecht (login "karin"), the clinic's manager, with her authenticator app enrolled."""
    karin = UserFactory(username="karin", first_name="Karin", last_name="Albrecht", role=roles.MANAGER)
    TOTPDevice.objects.create(user=karin, name="Phone", confirmed=True)
    return karin


def manager_log_in(page, live_server) -> None:
    """Karin logs in, password and code, and lands on the manager's home."""
    page.goto(f"{live_server.url}/accounts/login/")
    submit_login(page, "karin")
    pass_second_factor(page, User.objects.get(username="karin"))
    expect(page).to_have_url(f"{live_server.url}{reverse('manager:manager_home')}")


ANY_HOUR = [(weekday, "00:00", "23:59") for weekday in range(7)]


def lena_and_the_garden_room():
    """Lena Hoffmann (login "lena"), who gives the catalogue's massage at any hour of any day, and
    the Garden room set up for it: (massage, lena, room)."""
    massage = Modality.objects.get(name="Therapeutic massage")
    lena = therapist_named("Lena Hoffmann", massage, user__username="lena", hours=ANY_HOUR)
    return massage, lena, RoomFactory(name="Garden room", modalities=[massage])


def _defaults_ensure() -> None:
    if Group.objects.filter(name__in=roles.ROLES).count() < len(roles.ROLES):
        roles.roles_sync(django.apps.apps)
    for defaults in DEFAULT_MODALITIES:
        values = dict(defaults)
        Modality.objects.get_or_create(name=values.pop("name"), defaults=values)
    for values in DEFAULT_RULES:
        values = dict(values)
        message = values.pop("message")
        # The "no current consent" rule stays off, as for the rest of the suite (tests/conftest.py).
        active = values.get("condition") != RuleCondition.NO_CONSENT
        ContraindicationRule.objects.get_or_create(
            modality=None, **values, defaults={"message": message, "active": active}
        )
    # The intake questions and consent texts of patients' data migration, from the migration itself.
    importlib.import_module("patients.migrations.0008_intake_and_consent_defaults").defaults_create(
        django.apps.apps, None
    )


@pytest.fixture
def clinic_defaults(transactional_db):
    """The roles, catalogue, default rules, intake questions and consent texts that the data
    migrations create.

    serialized_rollback brings the migrated rows back before each test; this puts back whatever
    is still missing (for example under --no-migrations, where no data migration runs at all).
    """
    _defaults_ensure()


@pytest.fixture(scope="package", autouse=True)
def _migrated_rows_restore(django_db_setup, django_db_blocker):
    """Leave the database as these tests found it.

    A transactional test empties every table when it ends. pytest-django runs transactional tests
    after the others, but a test that reaches the database only through request.getfixturevalue()
    counts as database-free and runs after these: it would find no roles and no catalogue.
    """
    found = connections[DEFAULT_DB_ALIAS]
    contents = getattr(found, "_test_serialized_contents", None)
    yield
    with django_db_blocker.unblock():
        # While Playwright runs, Django's context-local connection handler can hand this code a
        # connection other than the tests' one: use it, and close it rather than leave it open,
        # or dropping the test database fails with "being accessed by other users".
        current = connections[DEFAULT_DB_ALIAS]
        if contents:
            call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
            current.creation.deserialize_db_from_string(contents)
        else:
            _defaults_ensure()
        if current is not found:
            current.close()
