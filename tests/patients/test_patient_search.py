"""patients_search finds people as their names are spoken: case and diacritics ignored, German
transliteration both ways, "Last, First" and "First Last", a year of birth, part of a phone
number; and lists them as readers of the clinic's language expect (Schäfer before Schulz). The same
on SQLite and PostgreSQL (scripts/with-postgres)."""

import datetime as dt

import pytest

from patients.names import fold, fold_german, search_name, sort_key
from patients.selectors import patients_search
from patients.services import patient_update
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    def patient(first, last, born="1980-01-01", phone=""):
        return PatientFactory(first_name=first, last_name=last, date_of_birth=dt.date.fromisoformat(born), phone=phone)

    return {
        "schafer": patient("Leonie", "Schäfer", "1998-05-02", "+49 30 23125 268"),
        "schulz": patient("Hannah", "Schulz", "1999-07-14"),
        "celik": patient("Zeynep", "Çelik", "1994-03-30"),
        "yilmaz": patient("Mehmet", "Yılmaz", "1981-11-11"),
        "muller": patient("Jürgen", "Müller", "1963-02-20", "0171 555 0199"),
        "oberg": patient("Søren", "Øberg", "1970-09-09"),
        "strasse": patient("Łukasz", "Straße", "1961-06-01"),
        "obrien": patient("Siobhán", "O'Brien", "1975-04-12"),
    }


def found(query: str) -> list[str]:
    return [f"{p.first_name} {p.last_name}" for p in patients_search(query=query)]


@pytest.mark.parametrize(
    "query, who",
    [
        ("schafer", "Leonie Schäfer"),
        ("SCHÄFER", "Leonie Schäfer"),
        ("schaefer", "Leonie Schäfer"),
        ("celik", "Zeynep Çelik"),
        ("Çelik", "Zeynep Çelik"),
        ("yilmaz", "Mehmet Yılmaz"),
        ("YILMAZ", "Mehmet Yılmaz"),
        ("muller", "Jürgen Müller"),
        ("Mueller", "Jürgen Müller"),
        ("juergen", "Jürgen Müller"),
        ("oberg", "Søren Øberg"),
        ("soren", "Søren Øberg"),
        ("lukasz strasse", "Łukasz Straße"),
        ("obrien", "Siobhán O'Brien"),
        ("o'brien siobhan", "Siobhán O'Brien"),
    ],
)
def test_it_ignores_case_and_diacritics_and_transliterates(people, query, who):
    assert found(query) == [who]


@pytest.mark.parametrize("query", ["Schäfer, Leonie", "schafer,leonie", "Leonie Schäfer", "leonie schaefer"])
def test_it_takes_last_comma_first_and_first_last(people, query):
    assert found(query) == ["Leonie Schäfer"]


def test_a_year_of_birth_alone_or_beside_a_name(people):
    assert found("1998") == ["Leonie Schäfer"]
    assert found("Müller 1963") == ["Jürgen Müller"]
    assert found("Müller 1964") == []


def test_part_of_a_phone_number(people):
    assert found("555 01") == ["Jürgen Müller"]
    assert found("030 23125") == ["Leonie Schäfer"]


def test_it_sorts_as_german_readers_expect(people):
    names = [p.last_name for p in patients_search(query="")]
    assert names.index("Schäfer") < names.index("Schulz")
    assert names[0] == "Çelik"  # C, not after Z
    assert names.index("Øberg") < names.index("O'Brien")  # oberg < obrien


def test_a_renamed_patient_is_found_by_the_new_name(people):
    patient_update(patient=people["schulz"], last_name="Größer")
    assert found("grosser") == ["Hannah Größer"]
    assert found("schulz") == []


@pytest.mark.parametrize(
    "name, plain, german",
    [("Müller", "muller", "mueller"), ("Yılmaz", "yilmaz", "yilmaz"), ("ÆRØ Łódź", "aero lodz", "aero lodz")],
)
def test_folding(name, plain, german):
    assert (fold(name), fold_german(name)) == (plain, german)


def test_the_search_name_holds_both_forms_once():
    assert search_name("Jürgen", "Müller") == "jurgen muller juergen mueller"
    assert search_name("Anna", "Berg") == "anna berg"
    assert sort_key("O'Brien-Schäfer") == "obrienschafer"
