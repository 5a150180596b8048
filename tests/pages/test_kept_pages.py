"""The kept drawings' own bookkeeping (pages.kept_pages._Kept): one per slot, served only under
the versions and within the moments it was drawn for, and never more bytes than the budget."""

import datetime as dt

import pytest

from pages.kept_pages import _Kept

NOON = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
TONIGHT = NOON + dt.timedelta(hours=12)
MB = 1024 * 1024


@pytest.fixture
def kept(settings):
    settings.CLINIC_KEPT_PAGES_MB = 1
    return _Kept()


def test_a_drawing_is_served_under_its_versions_and_until_its_moment(kept):
    kept.put(("chart", 1), ("v1",), "drawn", NOON, TONIGHT, 100)
    assert kept.get(("chart", 1), ("v1",), NOON + dt.timedelta(hours=1)) == "drawn"
    assert kept.get(("chart", 1), ("v2",), NOON + dt.timedelta(hours=1)) is None  # the record changed
    assert kept.get(("chart", 1), ("v1",), TONIGHT) is None  # the clock moved it on
    assert kept.get(("chart", 1), ("v1",), NOON - dt.timedelta(minutes=1)) is None  # a clock set back
    assert kept.get(("chart", 2), ("v1",), NOON) is None  # another slot


def test_a_new_drawing_replaces_its_slot_s_stale_one(kept):
    kept.put(("chart", 1), ("v1",), "old", NOON, TONIGHT, 400_000)
    kept.put(("chart", 1), ("v2",), "new", NOON, TONIGHT, 400_000)
    assert kept.size == 400_000
    assert kept.get(("chart", 1), ("v2",), NOON) == "new"


def test_beyond_the_budget_the_least_recently_read_goes_first(kept):
    for slot in range(3):
        kept.put(("chart", slot), ("v",), slot, NOON, TONIGHT, 400_000)  # the third exceeds 1 MB
    assert kept.get(("chart", 0), ("v",), NOON) is None
    assert kept.get(("chart", 1), ("v",), NOON) == 1
    kept.put(("chart", 3), ("v",), 3, NOON, TONIGHT, 400_000)  # slot 2 was read least recently now
    assert [kept.get(("chart", slot), ("v",), NOON) for slot in (1, 2, 3)] == [1, None, 3]
    assert kept.size <= MB


def test_a_drawing_larger_than_the_budget_is_not_kept(kept):
    kept.put(("board",), ("v",), "huge", NOON, TONIGHT, 2 * MB)
    assert kept.get(("board",), ("v",), NOON) is None
    assert kept.size == 0
