"""A long list's pages: exact up to the cap, then "more than" with pages that still go on, read at a
cost that does not grow with the list (pages.paging)."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages.paging import CappedPaginator, page_links
from patients.models import Patient
from tests.factories import PatientFactory

ELLIPSIS = Paginator.ELLIPSIS


@pytest.fixture
def patients(db, monkeypatch):
    """Eleven patients, 2 a page, counted up to 6."""
    monkeypatch.setattr(CappedPaginator, "cap", 6)
    for n in range(11):
        PatientFactory(last_name=f"Name{n:02d}")
    return Patient.objects.order_by("last_name")


def surnames(page) -> list[str]:
    return [patient.last_name for patient in page]


def test_up_to_the_cap_it_counts_and_pages_exactly(patients):
    paginator = CappedPaginator(patients.filter(last_name__lt="Name05"), 2)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (5, False, 3)
    last = paginator.get_page(3)
    assert surnames(last) == ["Name04"]
    assert not last.has_next()
    assert paginator.get_page(9).number == 3  # a page past the end is the last one, as Django does


def test_a_cap_reached_exactly_is_still_counted(patients):
    assert not CappedPaginator(patients.filter(last_name__lt="Name06"), 2).capped


def test_past_the_cap_it_counts_one_more_and_says_so(patients):
    paginator = CappedPaginator(patients, 2)
    assert (paginator.count, paginator.capped) == (7, True)


def test_past_the_cap_its_pages_run_to_the_end_of_the_list(patients):
    paginator = CappedPaginator(patients, 2)
    page = paginator.get_page(5)  # beyond the 6 rows counted
    assert surnames(page) == ["Name08", "Name09"]
    assert page.has_next() and page.next_page_number() == 6
    last = paginator.get_page(6)
    assert surnames(last) == ["Name10"]
    assert not last.has_next()
    assert last.has_previous()


@pytest.mark.parametrize("number", ["7", "0", "-1", "two", "2.5", None, "9" * 30])
def test_past_the_cap_an_impossible_page_number_shows_the_first_page(patients, number):
    assert surnames(CappedPaginator(patients, 2).get_page(number)) == ["Name00", "Name01"]


def test_past_the_cap_it_never_counts_the_whole_list(patients):
    with CaptureQueriesContext(connection) as queries:
        page = CappedPaginator(patients, 2).get_page(2)
        list(page)
    count, rows = (query["sql"] for query in queries.captured_queries)
    assert "COUNT(" in count.upper() and "LIMIT 7" in count.upper()
    assert "ORDER BY" not in count.upper()  # the order changes no count, and would make PostgreSQL sort
    assert "LIMIT 3" in rows.upper()  # one row past the page: is there another?


def test_its_links_number_the_pages_around_the_current_one():
    """Django's elided range, around the page shown: before, its paginator was asked with page 1."""
    page = Paginator(range(100), 2).get_page(20)
    assert page_links(page) == [1, 2, ELLIPSIS, 17, 18, 19, 20, 21, 22, 23, ELLIPSIS, 49, 50]


def test_past_the_cap_its_links_run_to_the_next_page_and_leave_the_rest_open(patients):
    paginator = CappedPaginator(patients, 2)
    assert page_links(paginator.get_page(1)) == [1, 2, ELLIPSIS]
    assert page_links(paginator.get_page(6)) == [1, 2, 3, 4, 5, 6]


def test_past_the_cap_far_pages_are_elided_too(db, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    PatientFactory.create_batch(30)
    page = CappedPaginator(Patient.objects.order_by("pk"), 1).get_page(20)
    assert page_links(page) == [1, 2, ELLIPSIS, 17, 18, 19, 20, 21, ELLIPSIS]


def test_a_list_that_fits_on_its_first_page_is_read_in_one_query_and_counted_from_it(patients):
    paginator = CappedPaginator(patients.filter(last_name__lt="Name02"), 2)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(None)
        rows = surnames(page)
    assert rows == ["Name00", "Name01"]
    assert (paginator.count, paginator.num_pages, page.has_next()) == (2, 1, False)
    assert len(queries) == 1 and "COUNT(" not in queries.captured_queries[0]["sql"].upper()


@pytest.mark.parametrize("last_name_below, count, capped", [("Name05", 5, False), ("Name99", 7, True)])
def test_a_longer_list_s_first_page_is_read_once_then_counted(patients, last_name_below, count, capped):
    paginator = CappedPaginator(patients.filter(last_name__lt=last_name_below), 2)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page("1")
        rows = surnames(page)
    assert rows == ["Name00", "Name01"]
    assert (paginator.count, paginator.capped, page.has_next()) == (count, capped, True)
    assert len(queries) == 2
