"""Calendar files: one session to download, and the patient's private subscription feed."""

import datetime as dt
import re
import zoneinfo

import icalendar
import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from patients.models import Patient
from patients.services import patient_calendar_token_ensure
from sessions.models import AppointmentStatus
from tests.conftest import client_for
from tests.factories import ModalityFactory, RoomFactory, TherapistFactory, UserFactory, local
from tests.scenes import SOAP, course_for, days_ago, held, portal_patient, session, url_of

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
CALENDAR_PAGE = reverse("portal:portal_calendar")
RENEW = reverse("portal:portal_calendar_renew")


ics_url = url_of("portal:portal_appointment_ics")


def feed_url(patient: Patient) -> str:
    return reverse("portal:calendar_feed", args=[patient.calendar_token])


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


@pytest.fixture
def anna(db):
    return portal_patient(first_name="Anna", email="anna.roth@example.org")


@pytest.fixture
def visit(anna):
    """A massage next summer with a named therapist in a named room, part of a course."""
    modality = ModalityFactory(name="Therapeutic massage")
    course = course_for(anna, modality=modality)
    course.diagnosis.title = "DIAGNOSIS-SECRET lumbar disc disorder"
    course.diagnosis.save()
    held(course, days_ago(4), summary="SUMMARY-SECRET less pain sitting")
    year = timezone.localdate().year + 1
    return session(
        anna,
        local(year, 7, 14, 10, 30),
        course=course,
        therapist=TherapistFactory(user__first_name="Lena", user__last_name="Hoffmann"),
        room=RoomFactory(name="Garden room"),
    )


def test_it_downloads_one_session_as_a_valid_calendar_file(anna, visit):
    response = client_for(anna.user).get(ics_url(visit))

    calendar = parse(response)
    assert response["Content-Disposition"] == f'attachment; filename="session-{visit.starts_at.year}-07-14-1030.ics"'
    assert calendar.get("VERSION") == "2.0"
    assert calendar.get("PRODID")
    [event] = calendar.events
    assert event["UID"] == f"appointment-{visit.pk}@clinic.localhost"
    assert event.start == dt.datetime(visit.starts_at.year, 7, 14, 10, 30, tzinfo=BERLIN)
    assert event.end == dt.datetime(visit.starts_at.year, 7, 14, 11, 15, tzinfo=BERLIN)
    assert event.start.astimezone(dt.UTC) == visit.starts_at
    assert event["SUMMARY"] == "Therapeutic massage at Riverside Back Care"
    assert event["LOCATION"] == "Riverside Back Care, Garden room"
    assert "Lena Hoffmann" in event["DESCRIPTION"]
    assert event["STATUS"] == "CONFIRMED"


def test_the_time_zone_is_defined_in_the_file_with_its_summer_and_winter_offsets(anna, visit):
    text = client_for(anna.user).get(ics_url(visit)).content.decode()

    calendar = icalendar.Calendar.from_ical(text)
    assert [tz["TZID"] for tz in calendar.timezones] == ["Europe/Berlin"]
    assert f"DTSTART;TZID=Europe/Berlin:{visit.starts_at.year}0714T103000" in text
    assert "TZOFFSETTO:+0200" in text and "TZOFFSETTO:+0100" in text
    assert calendar.get_missing_tzids() == set()
    # Every line of an iCalendar file ends with CRLF and is at most 75 octets long.
    lines = text.split("\r\n")
    assert lines[-1] == ""
    assert all(len(line.encode()) <= 75 for line in lines)


def test_a_winter_session_keeps_its_wall_clock_time(anna):
    year = timezone.localdate().year + 1
    winter = session(anna, local(year, 1, 20, 9, 0))

    [event] = parse(client_for(anna.user).get(ics_url(winter))).events

    assert event.start == dt.datetime(year, 1, 20, 9, 0, tzinfo=BERLIN)
    assert event.start.utcoffset() == dt.timedelta(hours=1)


def test_the_event_names_only_the_modality_therapist_and_room(anna, visit):
    content = client_for(anna.user).get(ics_url(visit)).content.decode()
    unfolded = content.replace("\r\n ", "")

    for secret in ["DIAGNOSIS-SECRET", "SUMMARY-SECRET", "lumbar", *[v.split()[0] for v in SOAP.values()]]:
        assert secret not in unfolded
    assert "Anna" not in unfolded


def test_a_cancelled_session_downloads_as_cancelled(anna):
    cancelled = session(
        anna, timezone.now() + dt.timedelta(days=3), status=AppointmentStatus.CANCELLED, cancellation_reason="Ill"
    )

    [event] = parse(client_for(anna.user).get(ics_url(cancelled))).events

    assert event["STATUS"] == "CANCELLED"


def test_another_patients_session_is_404(anna):
    other = session(portal_patient(), timezone.now() + dt.timedelta(days=3))

    assert client_for(anna.user).get(ics_url(other)).status_code == 404


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.THERAPIST, roles.MANAGER])
def test_staff_get_403_on_the_patient_pages(role, anna, visit):
    client = client_for(UserFactory(role=role))

    assert client.get(ics_url(visit)).status_code == 403
    assert client.get(CALENDAR_PAGE).status_code == 403
    assert client.post(RENEW).status_code == 403


def test_the_download_rejects_post(anna, visit):
    assert client_for(anna.user).post(ics_url(visit)).status_code == 405


# The subscription feed ---------------------------------------------------------------------


def test_the_calendar_page_creates_the_secret_link_on_first_use(anna):
    assert anna.calendar_token is None

    response = client_for(anna.user).get(CALENDAR_PAGE)

    anna.refresh_from_db()
    assert len(anna.calendar_token) >= 40
    html = response.content.decode()
    assert f"http://testserver{feed_url(anna)}" in html
    assert f'href="webcal://testserver{feed_url(anna)}"' in html
    # Visiting again keeps the same link.
    client_for(anna.user).get(CALENDAR_PAGE)
    token = anna.calendar_token
    anna.refresh_from_db()
    assert anna.calendar_token == token


def test_the_feed_lists_the_upcoming_sessions_without_a_login(client, anna, visit):
    place = {"therapist": visit.therapist, "room": visit.room}
    soon = session(anna, timezone.now() + dt.timedelta(days=2), **place)
    under_way = session(anna, timezone.now() - dt.timedelta(minutes=10), status=AppointmentStatus.CHECKED_IN, **place)
    session(anna, timezone.now() + dt.timedelta(days=4), status=AppointmentStatus.CANCELLED, cancellation_reason="x")
    session(anna, days_ago(8), status=AppointmentStatus.COMPLETED, **place)
    session(portal_patient(), timezone.now() + dt.timedelta(days=2))
    patient_calendar_token_ensure(patient=anna)

    response = client.get(feed_url(anna))

    calendar = parse(response)
    assert [str(e["UID"]) for e in calendar.events] == [
        f"appointment-{a.pk}@clinic.localhost" for a in (under_way, soon, visit)
    ]
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_uids_and_the_bytes_stay_the_same_from_one_fetch_to_the_next(client, anna, visit):
    patient_calendar_token_ensure(patient=anna)

    first, second = client.get(feed_url(anna)).content, client.get(feed_url(anna)).content
    single = parse(client_for(anna.user).get(ics_url(visit)))

    assert first == second
    assert icalendar.Calendar.from_ical(first).events[0]["UID"] == single.events[0]["UID"]


@override_settings(CLINIC_BASE_URL="https://riverside.example.org")
def test_the_uid_domain_comes_from_the_configured_address_not_the_request(client, anna, visit):
    patient_calendar_token_ensure(patient=anna)

    [event] = parse(client.get(feed_url(anna), HTTP_HOST="localhost")).events

    assert event["UID"] == f"appointment-{visit.pk}@riverside.example.org"


def test_an_empty_feed_is_still_a_valid_calendar(client, anna):
    patient_calendar_token_ensure(patient=anna)

    calendar = parse(client.get(feed_url(anna)))

    assert calendar.events == []
    assert calendar.get("VERSION") == "2.0"


def test_renewing_the_link_makes_the_old_one_404(anna, visit, client):
    patient_calendar_token_ensure(patient=anna)
    old_url = feed_url(anna)
    assert client.get(old_url).status_code == 200

    response = client_for(anna.user).post(RENEW)

    assert response.status_code == 302
    assert response.url == CALENDAR_PAGE
    anna.refresh_from_db()
    assert feed_url(anna) != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(feed_url(anna)).status_code == 200


def test_renewing_rejects_get(anna):
    assert client_for(anna.user).get(RENEW).status_code == 405


@pytest.mark.parametrize("token", ["not-a-token", "a" * 43, "x" * 300])
def test_an_unknown_token_is_404(client, anna, token):
    patient_calendar_token_ensure(patient=anna)

    assert client.get(reverse("portal:calendar_feed", args=[token])).status_code == 404


def test_the_feed_url_needs_the_ics_suffix(client, anna):
    token = patient_calendar_token_ensure(patient=anna)

    assert client.get(f"/calendar/{token}").status_code == 404
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)


def test_the_feed_answers_head_for_calendar_apps_that_ask_first(client, anna):
    patient_calendar_token_ensure(patient=anna)

    response = client.head(feed_url(anna))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"


def test_the_feed_rejects_post(client, anna):
    patient_calendar_token_ensure(patient=anna)

    assert client.post(feed_url(anna)).status_code == 405
