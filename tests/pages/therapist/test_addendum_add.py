import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from sessions.models import Addendum, AppointmentStatus, SessionNote
from tests.conftest import client_for
from tests.factories import AppointmentFactory, SessionNoteFactory, TherapistFactory, UserFactory
from tests.scenes import url_of

url = url_of("therapist:addendum_add")


@pytest.fixture
def session(therapist):
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2)
    return AppointmentFactory(therapist=therapist, starts_at=starts_at, status=AppointmentStatus.COMPLETED)


@pytest.fixture
def note(session):
    return SessionNoteFactory(
        appointment=session, subjective="As signed", signed_at=timezone.now(), signed_by=session.therapist.user
    )


@pytest.fixture
def own(therapist):
    return client_for(therapist.user)


def note_page(note) -> str:
    return reverse("therapist:note_edit", args=[note.appointment_id])


def test_the_author_adds_an_addendum_and_sees_it_on_the_note(own, note, therapist):
    response = own.post(url(note), {"text": "Patient rang: pain down to 2 the next morning."}, follow=True)
    assert response.redirect_chain == [(note_page(note), 302)]
    html = response.content.decode()
    assert "Addendum added" in html
    assert "Patient rang: pain down to 2 the next morning." in html
    addendum = Addendum.objects.get()
    assert addendum.note == note and addendum.author == therapist.user


def test_the_note_itself_does_not_change(own, note):
    own.post(url(note), {"text": "A correction: it was the right leg."})
    after = SessionNote.objects.get(pk=note.pk)
    assert (after.subjective, after.updated_at, after.signed_at) == ("As signed", note.updated_at, note.signed_at)


def test_a_colleague_treating_the_patient_may_add_and_goes_where_they_came_from(note):
    colleague = TherapistFactory()
    AppointmentFactory(patient=note.appointment.patient, therapist=colleague)
    back = reverse("therapist:my_day")
    response = client_for(colleague.user).post(url(note), {"text": "Seen today: better.", "next": back})
    assert response.status_code == 302 and response.url == back
    assert Addendum.objects.get().author == colleague.user


def test_an_offsite_next_is_ignored(own, note):
    response = own.post(url(note), {"text": "Fine.", "next": "https://evil.example/"})
    assert response.url == note_page(note)


def test_an_empty_addendum_is_refused_with_a_message(own, note):
    response = own.post(url(note), {"text": "   "}, follow=True)
    assert "Write the addendum" in response.content.decode()
    assert not Addendum.objects.exists()


def test_an_addendum_on_a_draft_is_refused(own, session):
    draft = SessionNoteFactory(appointment=session)
    response = own.post(url(draft), {"text": "Too early"}, follow=True)
    assert "Addenda are for signed notes" in response.content.decode()
    assert not Addendum.objects.exists()


def test_a_therapist_who_does_not_treat_the_patient_is_forbidden(note):
    stranger = client_for(TherapistFactory().user)
    assert stranger.post(url(note), {"text": "Hello"}).status_code == 403
    assert not Addendum.objects.exists()


@pytest.mark.parametrize("role", [roles.RECEPTIONIST, roles.PATIENT, roles.MANAGER])
def test_other_roles_are_forbidden(note, role):
    response = client_for(UserFactory(role=role)).post(url(note), {"text": "Hello"})
    assert response.status_code == 403
    assert not Addendum.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, note):
    response = client.post(url(note), {"text": "Hello"})
    assert response.status_code == 302 and "/login/" in response.url
    assert not Addendum.objects.exists()


def test_an_unknown_note_is_404(own):
    assert own.post(reverse("therapist:addendum_add", args=[999999]), {"text": "Hello"}).status_code == 404


def test_it_rejects_get(own, note):
    assert own.get(url(note)).status_code == 405
