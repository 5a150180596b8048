"""The benchmark's constant page (docs/PERFORMANCE.md): routed only when CLINIC_BENCH_BASELINE=1."""

import importlib

import pytest
from django.test import Client
from django.urls import NoReverseMatch, clear_url_caches, reverse

import clinic.urls

pytestmark = pytest.mark.django_db

PATH = "/bench/baseline/"


def _reload_urls():
    importlib.reload(clinic.urls)
    clear_url_caches()


@pytest.fixture
def baseline_on(settings):
    settings.BENCH_BASELINE = True
    _reload_urls()
    yield
    settings.BENCH_BASELINE = False
    _reload_urls()


def test_it_is_not_routed_by_default(client):
    with pytest.raises(NoReverseMatch):
        reverse("bench_baseline")
    assert client.get(PATH, secure=True).status_code == 404


@pytest.mark.usefixtures("baseline_on")
def test_it_answers_a_small_constant_page_without_a_login():
    response = Client().get(reverse("bench_baseline"), secure=True)

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.usefixtures("baseline_on")
def test_it_rejects_post():
    assert Client().post(PATH, secure=True).status_code == 405


def test_the_view_refuses_when_switched_off_even_if_routed(rf, settings):
    from pages.views import bench_baseline

    settings.BENCH_BASELINE = False
    with pytest.raises(Exception) as refused:
        bench_baseline(rf.get(PATH))
    assert refused.typename == "Http404"
