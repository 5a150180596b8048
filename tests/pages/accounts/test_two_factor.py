"""Two-factor log-in: enrolment (QR code and the secret as text), the verification step after the
password, recovery codes, a manager's reset of a lost device, and who must use it."""

import re
import time

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles
from clinic.two_factor import RESET, two_factor_required
from tests.conftest import client_for
from tests.factories import PASSWORD, UserFactory

ENROL = reverse("accounts:two_factor_enrol")
VERIFY = reverse("accounts:two_factor_verify")
CODES = reverse("accounts:recovery_codes")
RESET_LIST = reverse("accounts:two_factor_reset_list")
LOCKED_OUT = 429


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or `steps_ahead` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def password_log_in(username: str, address: str = "10.0.0.9") -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=address)
    assert response.status_code == 302, response.content[:500]
    return client


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", role=roles.MANAGER, is_staff=True)


# --- who needs it ----------------------------------------------------------------------------------


def test_managers_and_superusers_need_it_receptionists_and_patients_do_not(boss, receptionist, patient_user, db):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert [two_factor_required(u) for u in (boss, root, receptionist, patient_user)] == [True, True, False, False]


def test_the_clinic_can_require_it_of_every_staff_account(settings, receptionist, therapist, patient_user):
    settings.CLINIC_REQUIRE_2FA_FOR_STAFF = True
    assert [two_factor_required(u) for u in (receptionist, therapist.user, patient_user)] == [True, True, False]

    client = password_log_in("reception")
    assert client.get(reverse("reception:day_board")).url.startswith(ENROL)


# --- a manager without a device ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [reverse("manager:manager_home"), reverse("reception:day_board"), reverse("admin:index"), "/", CODES, RESET_LIST],
)
def test_a_manager_without_a_device_is_sent_to_enrol_from_every_page(boss, url):
    client = password_log_in("boss")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{ENROL}?next={url.replace('/', '%2F')}"


def test_nor_can_they_post_anywhere_before_enrolling(boss, maria):
    client = password_log_in("boss")

    response = client.post(reverse("reception:portal_invite", args=[maria.pk]))

    assert response.status_code == 302
    assert response.url == ENROL


def test_an_htmx_request_is_sent_to_enrol_as_a_whole_page(boss):
    client = password_log_in("boss")

    response = client.get(reverse("reception:patient_list"), headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == ENROL


def test_the_enrolment_page_shows_the_qr_code_as_inline_svg_and_the_secret_as_text(boss):
    client = password_log_in("boss")

    response = client.get(ENROL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and "data:" not in page and "<script" not in page.split("</main>")[0].split("<main")[1]
    device = TOTPDevice.objects.get(user=boss, confirmed=False)
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    from base64 import b32decode

    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    again = re.search(r'id="secret-key">([A-Z2-7 ]+)<', client.get(ENROL).content.decode()).group(1)
    assert again.replace(" ", "") == secret  # the same pending device on a reload


def test_enrolling_with_the_apps_code_turns_it_on_and_shows_ten_recovery_codes_once(boss):
    client = password_log_in("boss")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=boss)

    response = client.post(ENROL, {"code": code_for(device), "next": "/manager/"})

    assert response.status_code == 302
    assert response.url == f"{CODES}?next=%2Fmanager%2F"
    page = client.get(response.url).content.decode()
    codes = re.findall(r"<li><code>(\d{10})</code></li>", page)
    assert len(codes) == 10 == StaticToken.objects.filter(device__user=boss).count()
    assert "shown <strong>only once</strong>" in page
    assert not re.findall(r"<li><code>(\d{10})</code></li>", client.get(CODES).content.decode())
    assert client.get(reverse("manager:manager_home")).status_code == 200
    assert LogEntry.objects.filter(object_pk=str(boss.pk), additional_data__action="two_factor_enrolled").exists()


def test_a_wrong_code_does_not_enrol(boss):
    client = password_log_in("boss")
    client.get(ENROL)

    response = client.post(ENROL, {"code": "000000x"})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=boss, confirmed=True).exists()
    assert client.get(reverse("manager:manager_home")).status_code == 302


def test_enrolling_ends_the_users_other_sessions(patient_user):
    other = password_log_in("patient", address="10.0.0.7")
    client = password_log_in("patient")
    client.get(ENROL)

    client.post(ENROL, {"code": code_for(TOTPDevice.objects.get(user=patient_user))})

    assert other.get(reverse("portal:portal_home")).status_code == 302


def test_the_enrolment_page_refuses_other_methods(boss):
    assert password_log_in("boss").put(ENROL).status_code == 405


def test_anonymous_visitors_are_sent_to_log_in(db):
    for url in (ENROL, VERIFY, CODES, RESET_LIST):
        assert Client().get(url).url.startswith(reverse("login"))


# --- verifying at every log-in ----------------------------------------------------------------------


def test_with_a_device_every_log_in_asks_for_the_code_before_any_page(boss):
    device = enrolled(boss)
    client = password_log_in("boss")

    assert client.get(reverse("manager:manager_home")).url == f"{VERIFY}?next=%2Fmanager%2F"
    assert client.get(ENROL).url == VERIFY  # no second device from a session that gave no code

    response = client.post(VERIFY, {"code": code_for(device), "next": "/manager/"})

    assert response.url == "/manager/"
    assert client.get(reverse("manager:manager_home")).status_code == 200


def test_a_recovery_code_works_once(boss):
    enrolled(boss)
    StaticToken.objects.create(device=StaticDevice.objects.create(user=boss, name="Codes"), token="1234567890")
    client = password_log_in("boss")

    assert client.post(VERIFY, {"code": "12345 67890"}).status_code == 302
    again = password_log_in("boss")
    assert again.post(VERIFY, {"code": "1234567890"}).status_code == 200


def test_wrong_codes_count_toward_the_accounts_lockout(boss):
    enrolled(boss)
    client = password_log_in("boss")

    responses = [client.post(VERIFY, {"code": "000000"}, REMOTE_ADDR="10.0.0.9") for _ in range(5)]

    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == LOCKED_OUT
    assert "_auth_user_id" not in client.session  # the half-logged-in session ended
    assert AccessAttempt.objects.get().username == "boss"
    # ...and the password alone no longer logs in either, whatever the spelling.
    response = Client().post(reverse("login"), {"username": "BOSS", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == LOCKED_OUT


def test_a_locked_out_password_never_reaches_the_second_step(boss):
    enrolled(boss)
    for _ in range(5):
        Client().post(reverse("login"), {"username": "boss", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")

    response = Client().post(reverse("login"), {"username": "boss", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")

    assert response.status_code == LOCKED_OUT


def test_the_verification_page_refuses_other_methods(boss):
    enrolled(boss)
    assert password_log_in("boss").delete(VERIFY).status_code == 405


def test_a_user_without_a_device_is_sent_from_verify_to_enrol(receptionist):
    assert client_for(receptionist).get(VERIFY).url == ENROL


# --- patients opt in -------------------------------------------------------------------------------


def test_a_patient_opts_in_from_the_portal_and_then_needs_the_code(patient_user):
    client = password_log_in("patient")
    assert ENROL in client.get(reverse("portal:portal_home")).content.decode()
    client.get(ENROL)
    client.post(ENROL, {"code": code_for(TOTPDevice.objects.get(user=patient_user))})

    later = password_log_in("patient")

    assert later.get(reverse("portal:portal_home")).url.startswith(VERIFY)


# --- recovery codes --------------------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(boss):
    client = client_for(boss)
    old = StaticToken.objects.create(device=StaticDevice.objects.create(user=boss, name="Codes"), token="1111111111")

    response = client.post(CODES)

    assert response.url == CODES
    assert not StaticToken.objects.filter(pk=old.pk).exists()
    assert len(re.findall(r"<li><code>(\d{10})</code></li>", client.get(CODES).content.decode())) == 10


def test_the_recovery_codes_page_refuses_other_methods(boss):
    assert client_for(boss).put(CODES).status_code == 405


# --- a manager resets a lost device ----------------------------------------------------------------


def test_a_manager_resets_a_lost_device_and_it_is_logged(boss, therapist):
    enrolled(therapist.user)
    StaticDevice.objects.create(user=therapist.user, name="Codes")
    client = client_for(boss)
    assert "therapist" in client.get(RESET_LIST).content.decode()

    response = client.post(reverse("accounts:two_factor_reset", args=[therapist.user.pk]))

    assert response.url == RESET_LIST
    assert not TOTPDevice.objects.filter(user=therapist.user).exists()
    assert not StaticDevice.objects.filter(user=therapist.user).exists()
    entry = LogEntry.objects.get(object_pk=str(therapist.user.pk), additional_data__action=RESET)
    assert entry.actor == boss


def test_a_manager_cannot_reset_their_own_device_or_a_superusers(boss, db):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    enrolled(root)
    client = client_for(boss)

    for user in (boss, root):
        client.post(reverse("accounts:two_factor_reset", args=[user.pk]))
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@pytest.mark.parametrize("who", ["receptionist", "therapist", "patient_user"])
def test_only_managers_reset(who, request, boss):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    enrolled(boss)
    client = client_for(user)

    assert client.get(RESET_LIST).status_code == 403
    assert client.post(reverse("accounts:two_factor_reset", args=[boss.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=boss).exists()


def test_the_reset_takes_only_a_post(boss, therapist):
    client = client_for(boss)
    assert client.get(reverse("accounts:two_factor_reset", args=[therapist.user.pk])).status_code == 405
    assert client.post(RESET_LIST).status_code == 405
