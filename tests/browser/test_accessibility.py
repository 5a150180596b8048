"""Every page of every role meets WCAG 2.1 AA as far as axe-core can tell, on a desktop and on a phone.

The pages are those of the authorization matrix (tests/pages/test_authorization_matrix.py) that
answer the role 200 to a GET with HTML, Django's log-in and password pages, and for the manager the
admin: its index, each app, and every changelist, add form and change form the manager may open.
The axe check itself runs in tests/browser/conftest.py after every navigation; this test collects
what it finds on each page so that one run lists every failing page.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic import roles
from clinic.two_factor import two_factor_required
from tests.browser.conftest import (
    _open_page,
    axe_violations,
    lena_and_the_garden_room,
    pass_second_factor,
    submit_login,
)
from tests.factories import PASSWORD, PatientFactory, UserFactory, local
from tests.pages.every_page import pages_of
from tests.pages.test_authorization_matrix import matrix_scene
from tests.scenes import course_for, held, portal_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {"desktop": 1280, "phone": 390}
# One user of each kind; the matrix's second patient and second therapist see the same pages.
ROLES = ("anonymous", "patient_a", "therapist_treating", "receptionist", "manager")


@pytest.fixture(params=list(WIDTHS.values()), ids=list(WIDTHS))
def sized_page(browser, request):
    yield from _open_page(browser, request, {"width": request.param, "height": 900})


@pytest.fixture
def phone_page(browser, request):
    yield from _open_page(browser, request, {"width": WIDTHS["phone"], "height": 844})


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role_passes_axe(role, sized_page, live_server, clinic_defaults):
    page = sized_page
    users, objects = matrix_scene()
    pages = pages_of(role, users, objects)
    assert pages, f"no page found for {role}"
    if role != "anonymous":
        page.goto(f"{live_server.url}{reverse('login')}")
        submit_login(page, users[role].username, PASSWORD)
        if two_factor_required(users[role]):  # the manager: the code from the app enrolled above
            pass_second_factor(page, users[role])
        page.wait_for_url(lambda url: "/accounts/login/" not in url and "/two-factor/" not in url)

    failures = []
    for url in pages:
        try:
            response = page.goto(f"{live_server.url}{url}")
        except pytest.fail.Exception as failure:  # the axe hook in conftest.py
            failures.append(str(failure))
            continue
        assert response.status == 200, f"{role}: {url} answered {response.status} in the browser"

    assert not failures, f"{len(failures)} of {len(pages)} pages fail for {role}:\n" + "\n".join(failures)


def test_the_patient_list_fits_a_phone(phone_page, live_server, clinic_defaults, screenshot):
    """At 390 px the list scrolls only up and down: the contact columns fold in under the name."""
    page = phone_page
    UserFactory(username="desk", role=roles.RECEPTIONIST)
    PatientFactory(
        first_name="Maximiliane",
        last_name="Schneider-Hoffmannsthal",
        phone="+49 30 1234 5678 90",
        email="maximiliane.schneider-hoffmannsthal@physiotherapie-beispiel.example.org",
    )
    PatientFactory.create_batch(3)
    page.goto(f"{live_server.url}{reverse('login')}")
    submit_login(page, "desk")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(f"{live_server.url}{reverse('reception:patient_list')}")

    expect(page.get_by_role("link", name="Schneider-Hoffmannsthal, Maximiliane")).to_be_visible()
    screenshot(page, "patient-list-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"]


def test_an_e_mail_address_breaks_only_after_its_at_and_its_dots(phone_page, live_server, clinic_defaults):
    """The address wraps onto several lines in the phone's narrow column, each line ending at an @,
    a dot or a hyphen, never inside a name."""
    page = phone_page
    UserFactory(username="desk", role=roles.RECEPTIONIST)
    address = "maximiliane.schneiderhoffmannsthal@physiotherapiebeispiel.example.org"
    PatientFactory(first_name="Maximiliane", last_name="Schneider", email=address)
    page.goto(f"{live_server.url}{reverse('login')}")
    submit_login(page, "desk")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(f"{live_server.url}{reverse('reception:patient_list')}")

    lines = page.evaluate(LINES_OF, "maximiliane.")
    assert "".join(lines) == address
    assert len(lines) > 1, lines
    assert all(line[-1] in "@.-" for line in lines[:-1]), lines


# The text of the innermost element that holds `start`, split where the browser wrapped it.
LINES_OF = """start => {
    const holder = [...document.querySelectorAll("td div, td, dd")].filter(el => el.textContent.includes(start)
        && el.offsetParent !== null).pop();
    const lines = [];
    let top = null;
    const walker = document.createTreeWalker(holder, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.length; i++) {
            if (!node.data[i].trim()) continue;
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const rect = range.getBoundingClientRect();
            if (top === null || rect.top > top + 2) { lines.push(""); top = rect.top; }
            lines[lines.length - 1] += node.data[i];
        }
    }
    return lines;
}"""


# Each text of the pain chart: its size on the screen (its font size times the drawing's scale)
# and its box.
CHART_TEXTS = """() => {
    const svg = document.querySelector("svg.pain-chart");
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll("text")].map(text => {
        const box = text.getBoundingClientRect();
        return {text: text.textContent, px: parseFloat(text.getAttribute("font-size")) * scale,
                box: [box.left, box.top, box.right, box.bottom]};
    });
}"""


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    pairs = []
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            (l1, t1, r1, b1), (l2, t2, r2, b2) = first["box"], second["box"]
            if l1 < r2 and l2 < r1 and t1 < b2 and t2 < b1:
                pairs.append((first["text"], second["text"]))
    return pairs


def test_the_pain_charts_labels_are_readable_on_a_phone(sized_page, live_server, clinic_defaults, screenshot):
    """On the patient's phone the chart's scores, dates and legend are at least 11 px and none
    covers another; on a wide screen the chart does not grow past 26rem."""
    page = sized_page
    massage, lena, room = lena_and_the_garden_room()
    clara = portal_patient(email="clara.becker@example.org", first_name="Clara", last_name="Becker")
    course = course_for(clara, modality=massage, prescribed_by=lena.user)
    today = timezone.localdate()
    scores = [(8, 7), (8, 6), (7, 6), (7, 5), (6, 5), (6, 4), (5, 4), (5, 3), (4, 3), (4, 2), (3, 2), (3, 1)]
    for number, (before, after) in enumerate(scores):
        day = today - dt.timedelta(days=3 * (len(scores) - number))
        held(course, local(day.year, day.month, day.day, 10), before=before, after=after, therapist=lena, room=room)
    page.goto(f"{live_server.url}{reverse('login')}")
    submit_login(page, "clara.becker@example.org")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(f"{live_server.url}{reverse('portal:portal_home')}")

    texts = page.evaluate(CHART_TEXTS)
    screenshot(page, f"portal-{page.viewport_size['width']}")
    assert len(texts) >= 6 + 2 + 1 + 2  # scores, legend, axis title, at least the first and last date
    assert min(text["px"] for text in texts) >= 11, texts
    assert not overlapping(texts)
    assert page.locator("svg.pain-chart").bounding_box()["width"] <= 26 * 16


LOW_CONTRAST = (
    '<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
    '<p id="grey" style="color:#999;background:#aaa">Grey on grey</p></main>{script}</body></html>'
)


def test_the_check_finds_a_colour_a_reader_keeps_seeing(page):
    page.set_content(LOW_CONTRAST.format(script=""))
    assert "color-contrast" in {violation["id"] for violation in axe_violations(page)}


def test_the_check_skips_a_colour_gone_a_moment_later(page):
    """The second run, 250 ms later, must find the rule broken again: a layout caught settling is no failure."""
    # The text turns black as soon as the first run is over, so that run surely saw it grey.
    settle = (
        "<script>const wait = setInterval(() => { if (window.__axeChecked !== undefined) {"
        " document.getElementById('grey').style.color = '#000'; clearInterval(wait); } }, 10);</script>"
    )
    page.set_content(LOW_CONTRAST.format(script=settle))
    assert "color-contrast" not in {violation["id"] for violation in axe_violations(page)}
