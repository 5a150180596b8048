"""The CSRF token never travels in an address: the booking form also asks for free slots with
GET (htmx on a change, the "Show free slots" button), so the token is no field of that form but the
value of the Book button, and htmx sends it as the X-CSRFToken header set on <body>."""

import re

from django.test import Client
from django.urls import reverse

from tests.conftest import client_for


def booking_page(user, patient, **query) -> str:
    params = "&".join(f"{k}={v}" for k, v in {"patient": patient.pk, **query}.items())
    return client_for(user).get(f"{reverse('booking:appointment_book')}?{params}").content.decode()


def test_the_booking_form_has_no_token_field_that_a_get_would_send(receptionist, maria):
    page = booking_page(receptionist, maria)
    form = re.search(
        r'<form method="post" action="' + reverse("booking:appointment_book") + r'".*?</form>', page, re.S
    ).group(0)

    assert 'hx-params="not csrfmiddlewaretoken"' in form
    assert not re.search(r'<input[^>]*name="csrfmiddlewaretoken"', form)
    assert re.search(r'<body hx-headers=\'\{"X-CSRFToken": "[^"]+"\}\'>', page)


def test_the_book_button_carries_the_token_for_the_post(receptionist, maria, massage, monday, linden, anna):
    page = booking_page(receptionist, maria, modality=massage.pk, day=monday.isoformat())

    assert re.search(r'<button[^>]*type="submit" name="csrfmiddlewaretoken" value="[^"]+"[^>]*>Book</button>', page)


def test_a_post_with_the_buttons_token_passes_the_csrf_check(receptionist, maria, massage, monday, linden, anna):
    client = Client(enforce_csrf_checks=True)
    client.force_login(receptionist)
    page = client.get(f"{reverse('booking:appointment_book')}?patient={maria.pk}&modality={massage.pk}&day={monday}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    slot = re.search(r'name="slot" id="[^"]+" value="([^"]+)"', page.content.decode()).group(1)

    response = client.post(
        reverse("booking:appointment_book"),
        {"patient": maria.pk, "modality": massage.pk, "day": monday, "slot": slot, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302


def test_no_page_puts_the_token_into_a_get_form(receptionist, maria):
    for page in (
        booking_page(receptionist, maria),
        client_for(receptionist).get(reverse("reception:day_board")).content.decode(),
    ):
        for form in re.findall(r'<form[^>]*method="get".*?</form>', page, re.S):
            assert "csrfmiddlewaretoken" not in form
