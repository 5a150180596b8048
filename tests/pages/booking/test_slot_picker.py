"""The slot picker's chips, written in Python (SlotGroup.chips): a radio and a label per time, the
chosen one checked even beyond the first few."""

from django.urls import reverse
from django.utils import timezone

from pages.booking.forms import slot_value
from pages.booking.views import SLOTS_PER_THERAPIST
from tests.factories import at
from tests.scenes import shows

URL = reverse("booking:appointment_book")


def test_each_time_is_a_radio_with_its_label(reception, maria, massage, anna, linden, monday):
    response = reception.get(URL, {"patient": maria.pk, "modality": massage.pk, "day": monday.isoformat()})
    [group] = response.context["slot_groups"]
    slot, value = group.shown[0]
    assert value == slot_value(slot.starts_at, anna, linden)
    content = shows(
        response,
        f'<input class="btn-check" type="radio" name="slot" id="s{anna.pk}-1" value="{value}">'
        f'<label class="chip" for="s{anna.pk}-1">{timezone.localtime(slot.starts_at):%H:%M}</label>',
    )
    assert " checked>" not in content


def test_the_time_asked_for_is_checked_even_beyond_the_first_few(reception, maria, massage, anna, linden, monday):
    params = {"patient": maria.pk, "modality": massage.pk, "day": monday.isoformat(), "time": "16:00"}
    response = reception.get(URL, params)
    [group] = response.context["slot_groups"]
    chosen = slot_value(at(monday, 16), anna, linden)
    assert response.context["chosen_slot"] == chosen
    assert len(group.shown) == SLOTS_PER_THERAPIST + 1
    shows(
        response,
        f'id="s{anna.pk}-{SLOTS_PER_THERAPIST + 1}" value="{chosen}" checked>'
        f'<label class="chip" for="s{anna.pk}-{SLOTS_PER_THERAPIST + 1}">16:00</label>',
    )
    assert response.content.decode().count(" checked>") == 1
