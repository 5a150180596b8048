import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pages.paging import CappedPaginator
from patients.models import Patient
from tests.conftest import client_for
from tests.factories import PatientFactory
from tests.scenes import asks_to_log_in, shows

URL = reverse("reception:patient_list")


def names(response) -> list[str]:
    return [str(patient) for patient in response.context["page_obj"]]


@pytest.fixture
def berg(db):
    return PatientFactory(
        first_name="Anna", last_name="Berg", date_of_birth=dt.date(1975, 4, 12), phone="+49 (30) 555-0123"
    )


@pytest.fixture
def others(db):
    return [
        PatientFactory(
            first_name="Berta", last_name="Annaberg", date_of_birth=dt.date(1980, 1, 2), phone="0171 222 33 44"
        ),
        PatientFactory(first_name="Karl", last_name="Berg", date_of_birth=dt.date(1962, 11, 30), phone="030 777 888"),
        PatientFactory(
            first_name="Anna",
            last_name="Schmidt",
            date_of_birth=dt.date(1990, 6, 1),
            phone="0176 123 456",
            email="anna@example.org",
        ),
    ]


def test_each_row_shows_the_patients_details_with_what_they_typed_escaped(reception):
    """pages.reception.patient_rows writes the rows without the template's autoescaping."""
    typed = PatientFactory(
        first_name="<b>Ann</b>", last_name="O'Berg & Co", date_of_birth=dt.date(1975, 4, 2), phone="<i>030</i>",
        email="ann.berg@example.org",
    )  # fmt: skip
    plain = PatientFactory(last_name="Zimmer", phone="", email="")
    page = reception.get(URL).content.decode()
    assert "<b>Ann</b>" not in page and "<i>030</i>" not in page
    row = page[page.index(f'href="{typed.get_absolute_url()}"') :].split("</tr>")[0]
    assert "O&#x27;Berg &amp; Co, &lt;b&gt;Ann&lt;/b&gt;</a>" in row
    assert "02.04.1975" in row
    assert row.count("&lt;i&gt;030&lt;/i&gt;") == 2  # folded under the name on a phone, and in its column
    assert row.count("ann.<wbr>berg@<wbr>example.<wbr>org") == 2
    assert f'href="{reverse("reception:patient_edit", args=[typed.pk])}"' in row
    assert 'Edit<span class="visually-hidden"> &lt;b&gt;Ann&lt;/b&gt; O&#x27;Berg &amp; Co</span>' in row
    assert "Book" not in row  # only when a free cell of the day board chose a time
    empty = page[page.index(f'href="{plain.get_absolute_url()}"') :].split("</tr>")[0]
    assert empty.count(">—</td>") == 2  # no phone, no e-mail address


def test_it_lists_patients_by_last_then_first_name(reception, berg, others):
    response = reception.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Berta Annaberg", "Anna Berg", "Karl Berg", "Anna Schmidt"]
    shows(
        response,
        "12.04.1975",
        "+49 (30) 555-0123",
        "anna@<wbr>example.<wbr>org",  # breaks only after the @ and the dot
        f'href="{berg.get_absolute_url()}"',
        reverse("reception:patient_create"),
    )


def test_it_sorts_names_regardless_of_how_they_were_typed(reception):
    for first, last in [("anna", "BERG"), ("Greta", "Becker"), ("Karl", "berg"), ("Anna", "Berg")]:
        PatientFactory(first_name=first, last_name=last)
    assert names(reception.get(URL)) == ["Greta Becker", "anna BERG", "Anna Berg", "Karl berg"]


def test_it_links_each_name_to_the_patients_reception_page(reception, berg):
    response = reception.get(URL)
    assert f'href="{reverse("reception:patient_overview", args=[berg.pk])}"' in response.content.decode()


def test_its_old_patient_address_redirects_to_the_reception_page(reception, berg):
    response = reception.get(reverse("reception:patient_detail", args=[berg.pk]))
    assert response.status_code == 302
    assert response.url == f"/reception/patients/{berg.pk}/"


@pytest.mark.parametrize("query", ["anna berg", "ANNA BERG", "berg anna", "  Anna   Berg "])
def test_it_finds_a_patient_by_first_and_last_name_ignoring_case(reception, berg, others, query):
    assert names(reception.get(URL, {"q": query})) == ["Berta Annaberg", "Anna Berg"]


def test_it_finds_patients_by_part_of_a_name(reception, berg, others):
    assert names(reception.get(URL, {"q": "berg"})) == ["Berta Annaberg", "Anna Berg", "Karl Berg"]
    assert names(reception.get(URL, {"q": "schm"})) == ["Anna Schmidt"]


@pytest.mark.parametrize(
    "query", ["555-0123", "5550123", "30 555 0123", "(30) 555-01", "+49 30 5550123", "030 555 0123", "0049 30 555 01"]
)
def test_it_finds_a_patient_by_phone_ignoring_spaces_and_punctuation(reception, berg, others, query):
    assert names(reception.get(URL, {"q": query})) == ["Anna Berg"]


@pytest.mark.parametrize("query", ["12.04.1975", "1975-04-12"])
def test_it_finds_a_patient_by_date_of_birth_written_either_way(reception, berg, others, query):
    assert names(reception.get(URL, {"q": query})) == ["Anna Berg"]


def test_it_finds_a_patient_by_email(reception, berg, others):
    assert names(reception.get(URL, {"q": "ANNA@example.org"})) == ["Anna Schmidt"]


def test_it_says_so_when_nothing_matches(reception, berg):
    response = reception.get(URL, {"q": "Nobody"})
    assert response.status_code == 200
    assert names(response) == []
    assert "No patient matches “Nobody”" in response.content.decode()


def test_it_shows_25_patients_a_page(reception):
    for n in range(60):
        PatientFactory(first_name=f"First{n:02d}", last_name=f"Last{n:02d}")
    first = reception.get(URL)
    assert len(names(first)) == 25
    assert names(first)[0] == "First00 Last00"
    assert first.context["page_obj"].paginator.num_pages == 3
    last = reception.get(URL, {"page": 3})
    assert names(last) == [f"First{n:02d} Last{n:02d}" for n in range(50, 60)]


def test_its_page_links_mark_the_page_shown(reception):
    for n in range(260):
        PatientFactory(first_name=f"First{n:03d}", last_name=f"Last{n:03d}")
    content = reception.get(URL, {"page": 7}).content.decode()
    assert "260 patients · page 7 of 11" in content
    assert '<li class="page-item active" aria-current="page"><span class="page-link">7</span></li>' in content
    assert '?page=11"' in content and '?page=10"' in content


def test_past_the_count_cap_it_says_more_than_and_pages_to_the_last_patient(reception, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 40)
    for n in range(60):
        PatientFactory(first_name=f"First{n:02d}", last_name=f"Last{n:02d}")
    first = reception.get(URL).content.decode()
    assert "More than 40 patients · page 1\n" in first
    assert '<a class="page-link" href="?page=2"' in first
    last = reception.get(URL, {"page": 3})
    assert names(last) == [f"First{n:02d} Last{n:02d}" for n in range(50, 60)]
    assert '<li class="page-item disabled"><span class="page-link">Next</span></li>' in last.content.decode()
    searched = reception.get(URL, {"q": "first"}).content.decode()
    assert "More than 40 patients matching “first” · page 1\n" in searched


def test_past_the_count_cap_it_says_more_than_in_the_readers_language(reception, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 1_000)
    Patient.objects.bulk_create(
        Patient(first_name="Anna", last_name="Berg", sort_last_name="berg", date_of_birth=dt.date(1975, 4, 12))
        for _ in range(1_001)
    )
    german = reception.get(URL, headers={"Accept-Language": "de"}).content.decode()
    assert "Mehr als 1.000 Patienten · Seite 1\n" in german


def test_its_page_links_keep_the_search(reception):
    for n in range(30):
        PatientFactory(first_name="Anna", last_name=f"Berg{n:02d}")
    PatientFactory(first_name="Karl", last_name="Otto")
    response = reception.get(URL, {"q": "anna"})
    assert response.context["page_obj"].paginator.count == 30
    assert "?q=anna&amp;page=2" in response.content.decode()
    assert names(reception.get(URL, {"q": "anna", "page": 2})) == [f"Anna Berg{n:02d}" for n in range(25, 30)]


@pytest.mark.parametrize("page", ["99", "nonsense"])
def test_it_shows_a_real_page_for_an_impossible_page_number(reception, berg, page):
    response = reception.get(URL, {"page": page})
    assert response.status_code == 200
    assert names(response) == ["Anna Berg"]


def test_its_search_box_works_with_and_without_javascript(reception):
    content = reception.get(URL).content.decode()
    assert f'<form method="get" action="{URL}" role="search"' in content
    assert 'name="q"' in content
    assert '<label for="patient-search"' in content
    assert f'hx-get="{URL}"' in content
    assert 'hx-trigger="keyup changed delay:300ms, search"' in content
    assert 'hx-target="#patient-results"' in content
    assert 'hx-push-url="true"' in content
    assert '<button type="submit"' in content


def test_it_answers_the_search_box_with_the_results_only(reception, berg, others):
    response = reception.get(URL, {"q": "berg"}, headers={"HX-Request": "true", "HX-Target": "patient-results"})
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "reception/_patient_results.html"
    content = response.content.decode()
    assert "<html" not in content
    assert "Anna" in content and "Schmidt" not in content
    assert "HX-Request" in response["Vary"]


def test_it_answers_a_history_restore_with_the_whole_page(reception, berg):
    headers = {"HX-Request": "true", "HX-Target": "patient-results", "HX-History-Restore-Request": "true"}
    response = reception.get(URL, {"q": "berg"}, headers=headers)
    assert "<html" in response.content.decode()


def test_managers_may_use_it(manager, berg):
    assert client_for(manager).get(URL).status_code == 200


def test_it_asks_anonymous_visitors_to_log_in(client):
    asks_to_log_in(client.get(URL))


def test_it_refuses_therapists(therapist):
    assert client_for(therapist.user).get(URL).status_code == 403


def test_it_refuses_patients(patient_user):
    assert client_for(patient_user).get(URL).status_code == 403


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_rejects_writes(reception, method):
    assert getattr(reception, method)(URL).status_code == 405


def count_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL, params).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("query", ["", "berg", "030 555", "12.04.1975"])
def test_its_queries_do_not_grow_with_the_number_of_patients(reception, django_assert_max_num_queries, query):
    # Both more than a page (25): a list that fits on one page is not counted (below).
    PatientFactory.create_batch(30, last_name="Berg", date_of_birth=dt.date(1975, 4, 12))
    with django_assert_max_num_queries(6):
        few = count_queries(reception, q=query)
    PatientFactory.create_batch(45, last_name="Berg", date_of_birth=dt.date(1975, 4, 12))
    with django_assert_max_num_queries(6):
        many = count_queries(reception, q=query)
    assert few == many


def test_results_that_fit_on_one_page_are_not_counted_apart(reception):
    PatientFactory.create_batch(3, last_name="Berg")
    PatientFactory.create_batch(26, last_name="Brandt")

    with CaptureQueriesContext(connection) as fits:
        response = reception.get(URL, {"q": "berg"})
    with CaptureQueriesContext(connection) as more:
        reception.get(URL, {"q": "brandt"})

    assert response.context["page_obj"].paginator.count == 3
    assert not any("COUNT(" in query["sql"].upper() for query in fits.captured_queries)
    assert sum("COUNT(" in query["sql"].upper() for query in more.captured_queries) == 1
    assert len(fits) == len(more) - 1
