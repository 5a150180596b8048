"""The reports page: the figures with their charts, each as a CSV download, and a clear form
error for a period that makes no sense."""

import csv
import datetime as dt
from io import StringIO

import pytest
from django.urls import reverse

from sessions.models import AppointmentStatus
from tests.conftest import client_for
from tests.factories import AppointmentFactory, local
from tests.scenes import asks_to_log_in, shows

URL = reverse("manager:reports")
WEEK = {"starts_on": "2026-03-02", "ends_on": "2026-03-08"}


@pytest.fixture
def week(anna_berg, blue_room, maria_keller, back_massage):
    place = {"therapist": anna_berg, "room": blue_room, "modality": back_massage, "patient": maria_keller}
    AppointmentFactory(starts_at=local(2026, 3, 2, 9), status=AppointmentStatus.COMPLETED, **place)
    AppointmentFactory(starts_at=local(2026, 3, 3, 9), status=AppointmentStatus.NO_SHOW, **place)
    return place


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(StringIO(response.content.decode())))


def test_the_page_shows_every_report_with_its_chart(as_manager, week):
    response = as_manager.get(URL, WEEK)

    html = shows(
        response,
        "Utilisation",
        "Cancellations and no-shows",
        "New patients",
        "Course completion and drop-off",
        "Outcomes per modality",
        "Outcomes per diagnosis",
        "Busy hours",
        "Anna Berg",
        status=200,
    )
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="pain-chart report-chart"') == 7
    assert html.count("Download CSV") == 7
    # Nothing that a strict Content-Security-Policy would refuse.
    assert " style=" not in html and "<script>" not in html.replace("<script src=", "")


def test_a_name_with_markup_is_shown_as_text_in_the_charts(as_manager, week, anna_berg):
    anna_berg.user.last_name = 'Berg <img src=x onerror="alert(1)">'
    anna_berg.user.save()

    html = as_manager.get(URL, WEEK).content.decode()

    assert "<img" not in html
    # In the utilisation and cancellation charts: each bar's label and its tooltip.
    assert html.count("Anna Berg &lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 4


def test_the_tables_show_numbers_in_the_language_and_a_dash_where_there_is_no_figure(as_manager, week):
    html = as_manager.get(URL, WEEK, HTTP_ACCEPT_LANGUAGE="de").content.decode()

    assert '<tr><th scope="row">Therapeut</th><td>Anna Berg</td><td>1,5</td><td>50,0</td><td>3,0</td></tr>' in html
    # No course started in the week: no completion share to give.
    courses = "<td>0</td>" * 5 + "<td>–</td><td>–</td>"
    assert f'<tr><th scope="row">Alle Behandlungsarten</th>{courses}</tr>' in html


def test_without_a_period_it_shows_the_last_four_weeks(as_manager):
    response = as_manager.get(URL)
    assert response.status_code == 200
    scope = response.context["scope"]
    assert (scope.ends_on - scope.starts_on).days == 27


def test_each_report_downloads_as_csv(as_manager, week):
    response = as_manager.get(URL, {**WEEK, "csv": "utilisation"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="utilisation-20260302-20260308.csv"'
    # 90 booked minutes out of 5 × 600 working minutes: 3 %.
    assert rows_of(response) == [
        ["Kind", "Name", "Booked hours", "Working hours", "Utilisation %"],
        ["Therapist", "Anna Berg", "1.5", "50", "3"],
        ["Room", "Blue room", "1.5", "50", "3"],
    ]
    busy = rows_of(as_manager.get(URL, {**WEEK, "csv": "busy_hours"}))
    assert busy == [["Weekday", "Hour", "Sessions"], ["Mon", "09:00", "1"], ["Tue", "09:00", "1"]]


def test_a_name_that_looks_like_a_formula_is_defused_in_the_csv(as_manager, week, anna_berg):
    anna_berg.user.first_name = "=HYPERLINK(1)"
    anna_berg.user.save()

    (_, therapist, _) = rows_of(as_manager.get(URL, {**WEEK, "csv": "utilisation"}))

    assert therapist[1] == "'=HYPERLINK(1) Berg"


def test_filters_by_therapist_and_modality(as_manager, week, anna_berg, back_massage):
    ben = AppointmentFactory().therapist
    response = as_manager.get(URL, {**WEEK, "therapist": ben.pk, "csv": "cancellations"})
    assert rows_of(response)[-1][:2] == ["Whole clinic", "0"]
    response = as_manager.get(URL, {**WEEK, "modality": back_massage.pk, "csv": "cancellations"})
    assert rows_of(response)[-1][:2] == ["Whole clinic", "2"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"starts_on": "0001-01-01", "ends_on": "2026-03-08"}, "starts_on", "Choose a day between 2000 and 2100"),
        ({"starts_on": "2026-03-02", "ends_on": "9999-12-31"}, "ends_on", "Choose a day between 2000 and 2100"),
        ({"starts_on": "2026-03-08", "ends_on": "2026-03-02"}, "ends_on", "The period ends before it starts"),
        ({"starts_on": "2024-01-01", "ends_on": "2026-03-02"}, "ends_on", "Choose a period of a year at most."),
        ({"starts_on": "2026-02-30", "ends_on": "2026-03-02"}, "starts_on", "Enter a valid date."),
        ({**WEEK, "therapist": "987654"}, "therapist", "Select a valid choice."),
        ({**WEEK, "csv": "passwords"}, "csv", "There is no report called passwords to download."),
    ],
)
def test_a_silly_filter_is_a_form_error_not_a_500(as_manager, params, field, message):
    response = as_manager.get(URL, params)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert any(message in error for error in response.context["form"].errors[field])
    assert response.context["tables"] == []
    assert message.split(":")[0] in response.content.decode().replace("&#x27;", "'").replace("“", "").replace("”", "")


def _user(request, who):
    person = request.getfixturevalue(who)
    return getattr(person, "user", person)  # the therapist fixture is a Therapist


@pytest.mark.parametrize("who", ["receptionist", "therapist", "patient_user"])
def test_only_the_manager(request, who):
    assert client_for(_user(request, who)).get(URL).status_code == 403
    assert client_for(_user(request, who)).get(URL, {"csv": "utilisation"}).status_code == 403


def test_anonymous_visitors_log_in_first(client):
    asks_to_log_in(client.get(URL, {"csv": "utilisation"}))


def test_only_get(as_manager):
    assert as_manager.post(URL, WEEK).status_code == 405


@pytest.mark.parametrize("sessions", [2, 30])
def test_the_page_runs_the_same_queries_however_much_data(
    as_manager, sessions, anna_berg, blue_room, back_massage, maria_keller
):
    from tests.scenes import queries_of

    for n in range(sessions):
        AppointmentFactory(
            therapist=anna_berg, room=blue_room, modality=back_massage, patient=maria_keller,
            starts_at=local(2026, 3, 2 + n % 5, 8 + n % 9, 30 * (n // 45)) + dt.timedelta(minutes=0),
        )  # fmt: skip
    assert queries_of(as_manager, URL, WEEK) <= 30


def test_every_chart_is_well_formed_svg_with_a_title_and_description(as_manager, week):
    from xml.etree import ElementTree

    html = as_manager.get(URL, WEEK).content.decode()
    charts = [html[i : html.index("</svg>", i) + 6] for i in range(len(html)) if html.startswith("<svg", i)]
    assert len(charts) == 7
    for chart in charts:
        root = ElementTree.fromstring(chart)
        assert root.find("{http://www.w3.org/2000/svg}title").text
        assert root.find("{http://www.w3.org/2000/svg}desc").text
