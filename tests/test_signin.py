"""Sign-in protection: lockout by username and address, the staff second factor (driven over
every route from the URL conf and the schema), and session lifetimes."""

import datetime as dt
import logging
import re
import uuid

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from people import NOW, make_user
from signin import current_code, verified_login
from signin import totp_device
from tracker import services
from tracker.models import AuditEvent, Participant
# What staff may open before their second factor: written out here, not read from the code.
NO_DATA_PAGES = ("/account/2fa/", "/signout/", "/static/", "/help/", "/healthz/", "/manifest.webmanifest",
                 "/sw.js", "/offline/", "/signin/", "/jsi18n/")

MARKER = "MARKER-2fa-7d41"


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post("/signin/", {"username": username, "password": password}, REMOTE_ADDR=address)


# -- lockout


def test_repeated_failures_lock_that_username_from_that_address_only(alice, now, caplog):
    caplog.set_level(logging.WARNING, logger="steady.security")
    attacker = Client()
    for _ in range(4):
        assert sign_in(attacker, "alice", "guess-one-two-three").status_code == 200
    assert sign_in(attacker, "alice", "guess-one-two-three").status_code == 429  # the fifth failure locks
    locked = sign_in(attacker, "alice", "alice-password-1")
    assert locked.status_code == 429 and "Too many tries" in locked.content.decode()
    # The same person from their own phone, elsewhere, is not locked out.
    assert sign_in(Client(), "alice", "alice-password-1", address="10.9.9.9").status_code == 302
    # Every failure was logged, with the username and address, never the password.
    failures = [r.getMessage() for r in caplog.records if "sign-in failed" in r.getMessage()]
    assert len(failures) >= 5 and all("alice" in m and "10.0.0.1" in m for m in failures)
    assert not any("guess-one-two-three" in r.getMessage() for r in caplog.records)
    # The pair stays locked for the cool-off (15 minutes), then may try again.
    now.move_to(NOW + dt.timedelta(minutes=14))
    assert sign_in(attacker, "alice", "alice-password-1").status_code == 429
    now.move_to(NOW + dt.timedelta(minutes=16))
    assert sign_in(attacker, "alice", "alice-password-1").status_code == 302


def test_failures_for_one_username_do_not_lock_another(alice, bob, now):
    attacker = Client()
    for _ in range(6):
        sign_in(attacker, "alice", "wrong-password-x")
    assert sign_in(attacker, "bob", "bob-password-1").status_code == 302


def test_one_address_trying_many_usernames_is_paused_but_the_people_are_not(alice, now, settings):
    settings.SIGNIN_SPRAY_USERNAMES, settings.SIGNIN_SPRAY_MINUTES = 20, 15
    sprayer = Client()
    # One common password against 19 usernames, each tried once: no pair comes near its lockout.
    for n in range(19):
        assert sign_in(sprayer, f"user{n:02}", "Spring2026!", address="10.6.6.6").status_code == 200
    # The 20th different username pauses the whole address, with a message that says why.
    paused = sign_in(sprayer, "alice", "Spring2026!", address="10.6.6.6")
    assert paused.status_code == 429 and "many different usernames" in paused.content.decode()
    refused = sign_in(Client(), "alice", "alice-password-1", address="10.6.6.6")
    assert refused.status_code == 429 and "many different usernames" in refused.content.decode()
    # Nobody is locked out from elsewhere: alice (one of the names tried) signs in from her phone.
    assert sign_in(Client(), "alice", "alice-password-1", address="10.9.9.9").status_code == 302
    # The pause lasts the window from the last failure it counted, then the address may try again.
    now.move_to(NOW + dt.timedelta(minutes=14))
    assert sign_in(Client(), "alice", "alice-password-1", address="10.6.6.6").status_code == 429
    now.move_to(NOW + dt.timedelta(minutes=16))
    assert sign_in(Client(), "alice", "alice-password-1", address="10.6.6.6").status_code == 302


def test_a_group_room_on_one_clinic_address_is_never_paused(program, now, settings):
    settings.SIGNIN_SPRAY_USERNAMES, settings.SIGNIN_SPRAY_MINUTES = 20, 15
    room = [Participant.objects.create(user=make_user(f"member{n:02}"), program=program) for n in range(12)]
    clients = {p.user.username: Client() for p in room}
    # Everyone mistypes twice (24 failures, 12 usernames, one address), then everyone gets in.
    for attempt in range(2):
        for username, client in clients.items():
            assert sign_in(client, username, f"typo-{attempt}", address="10.1.1.1").status_code == 200
    for username, client in clients.items():
        assert sign_in(client, username, f"{username}-password-1", address="10.1.1.1").status_code == 302


def test_long_passphrases_are_allowed(alice, client):
    from django.contrib.auth.password_validation import validate_password

    validate_password("correct horse battery staple " * 4)  # 116 characters
    alice.user.set_password("x" * 40 + " a long passphrase of many words, " * 2)
    alice.user.save()
    assert sign_in(client, "alice", "x" * 40 + " a long passphrase of many words, " * 2).status_code == 302


# -- the second factor


def all_routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield pattern.name, prefix + str(pattern.pattern)

    return list(walk(get_resolver().url_patterns))


def fill(route, ids):
    path = "/" + route
    for name, value in ids.items():
        path = re.sub(r"<(?:\w+:)?%s>" % name, str(value), path)
    return path.replace("^", "").replace("$", "").replace("\\Z", "")


@pytest.fixture
def marked(alice, carol, now):
    """alice's records carry a marker; carol has an authenticator but has not typed a code."""
    goal = services.goal_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={"title": MARKER}).entry
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": alice.local_today(), "note": MARKER,
                                                                    "small_win": MARKER})
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={"reasons": [MARKER]})
    totp_device(carol.user)
    return {"participant_id": alice.pk, "entry_id": goal.pk, "number": 1, "kind": "checkin", "fmt": "json",
            "token": "x" * 16, "pk": 1, "uidb64": "MQ", "path": "x", "object_id": 1, "content_type_id": 1,
            "app_label": "tracker", "url": "x"}


def test_staff_without_the_second_factor_see_no_participant_data_anywhere(marked, carol, client):
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    client.force_login(carol.user)  # password done, code not yet
    paths = {fill(route, marked) for _, route in all_routes()}
    paths |= {re.sub(r"\{(\w+)\}", lambda m: str(marked.get(m.group(1), 1)), p) for p in schema["paths"]}
    checked = 0
    for path in sorted(paths):
        if path.startswith(NO_DATA_PAGES):
            continue
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert MARKER.encode() not in body, path
        if path.startswith("/api/"):
            assert response.status_code in (401, 403), (path, response.status_code)
        else:
            assert response.status_code == 302 and response["Location"].startswith("/account/2fa/"), path
        checked += 1
    assert checked >= 60
    # The admin site too, and the token door stays shut.
    assert client.get("/admin/").status_code == 302
    token = Client().post("/api/v1/auth/token/", {"username": "carol", "password": "carol-password-1"})
    assert token.status_code == 400


def everything_stored():
    """Every row of Steady's own tables, as plain values (audit rows apart), to compare before and after."""
    return {model._meta.label: sorted(map(repr, model.objects.values_list()))
            for model in apps.get_app_config("tracker").get_models() if model is not AuditEvent}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_staff_without_the_second_factor_write_nothing_anywhere(marked, carol, client, method):
    """Every unsafe method to every API route and every care page (from the URL conf and the
    schema), signed in with the password but not the code: refused, nothing written."""
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    client.force_login(carol.user)  # password done, code not yet
    routes = {fill(route, marked) for _, route in all_routes() if route.startswith(("api/", "care/"))}
    routes |= {re.sub(r"\{(\w+)\}", lambda m: str(marked.get(m.group(1), 1)), p) for p in schema["paths"]}
    before = everything_stored()
    body = {"title": "changed", "status": "active", "date": "2026-11-18", "stress": 1, "note": "changed",
            "flag": "no_checkin", "evidence": "x", "id": str(uuid.uuid4()), "done": "1"}
    checked = 0
    for path in sorted(routes):
        if path.startswith(NO_DATA_PAGES):
            continue
        if path.startswith("/api/"):
            response = getattr(client, method)(path, body, content_type="application/json")
            assert response.status_code in (401, 403), (method, path, response.status_code)
        else:
            response = getattr(client, method)(path, body) if method == "post" else getattr(client, method)(path)
            assert response.status_code == 302 and response["Location"].startswith("/account/2fa/"), (method, path)
        checked += 1
    assert checked >= 40
    assert everything_stored() == before
    assert not AuditEvent.objects.filter(action__in=["write", "export"]).exists()


def test_a_code_works_once(marked, carol):
    device = totp_device(carol.user)
    code = current_code(device)
    first = Client()
    sign_in(first, "carol", "carol-password-1")
    assert first.post("/account/2fa/", {"code": code, "next": "/care/"})["Location"] == "/care/"
    assert first.get("/care/").status_code == 200
    second = Client()
    sign_in(second, "carol", "carol-password-1")
    refused = second.post("/account/2fa/", {"code": code})
    assert refused.status_code == 200 and "work once" in refused.content.decode()
    assert second.get("/care/").status_code == 302


def test_setting_up_the_second_factor_gives_recovery_codes_that_work_once(carol, now):
    client = Client()
    sign_in(client, "carol", "carol-password-1")
    assert client.get("/care/")["Location"].startswith("/account/2fa/")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # Showing the page writes nothing; the pending device is made by a POST, once.
    assert "Show my code" in client.get("/account/2fa/setup/").content.decode()
    assert not TOTPDevice.objects.exists()
    page = client.post("/account/2fa/setup/", {"action": "start"}, follow=True).content.decode()
    assert "<svg" in page and "otpauth" not in page.split("<svg")[0]
    device = TOTPDevice.objects.get(user=carol.user, confirmed=False)
    # Starting again (a reload, a second tab) shows the same key, and still one pending device.
    again = client.post("/account/2fa/setup/", {"action": "start"}, follow=True).content.decode()
    key = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
    assert key.search(again).group(1) == key.search(page).group(1)
    assert list(TOTPDevice.objects.all()) == [device]
    wrong = client.post("/account/2fa/setup/", {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert "didn’t match" in wrong.content.decode()
    now.shift(5)  # a wrong code slows the next try down (django-otp's throttling)
    done = client.post("/account/2fa/setup/", {"code": current_code(device)}).content.decode()
    codes = re.findall(r"<li><code>(\w+)</code></li>", done)
    assert len(codes) == 10 and client.get("/care/").status_code == 200
    later = Client()
    sign_in(later, "carol", "carol-password-1")
    assert later.post("/account/2fa/", {"code": codes[0]}).status_code == 302
    again = Client()
    sign_in(again, "carol", "carol-password-1")
    assert again.post("/account/2fa/", {"code": codes[0]}).status_code == 200


def test_confirming_the_second_factor_is_all_or_nothing(carol, now, monkeypatch):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(raise_request_exception=False)
    sign_in(client, "carol", "carol-password-1")
    client.post("/account/2fa/setup/", {"action": "start"})
    device = TOTPDevice.objects.get(user=carol.user)

    def fails(*args, **kwargs):
        raise RuntimeError("the database went away while writing the recovery codes")

    # The recovery codes cannot be written: the app is not confirmed either, so nobody ends up
    # with a second factor and no recovery codes.
    monkeypatch.setattr(StaticToken.objects, "bulk_create", fails)
    assert client.post("/account/2fa/setup/", {"code": current_code(device)}).status_code == 500
    device.refresh_from_db()
    assert not device.confirmed and not StaticDevice.objects.exists()
    monkeypatch.undo()
    now.shift(30)   # a fresh code
    done = client.post("/account/2fa/setup/", {"code": current_code(device)}).content.decode()
    assert len(re.findall(r"<li><code>(\w+)</code></li>", done)) == 10
    assert list(TOTPDevice.objects.values_list("pk", "confirmed")) == [(device.pk, True)]


def test_a_password_reset_does_not_skip_the_second_factor(carol, now, settings):
    carol.user.email = "carol@clinic.test"
    carol.user.save()
    totp_device(carol.user)
    client = Client()
    client.post("/password-reset/", {"email": "carol@clinic.test"})
    message = mail.outbox[-1]
    assert message.subject == "Your Steady password"
    for word in ("recovery", "treatment", "counsel", "urge", "IOP"):
        assert word.lower() not in (message.subject + message.body).lower()
    link = re.search(r"http://testserver(/password-reset/\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "seven blue kites over hills",
                                             "new_password2": "seven blue kites over hills"})
    fresh = Client()
    sign_in(fresh, "carol", "seven blue kites over hills")
    assert fresh.get("/care/")["Location"].startswith("/account/2fa/")


def test_a_participant_may_turn_it_on_and_off(alice, carol, now):
    client = Client()
    sign_in(client, "alice", "alice-password-1")
    assert client.get("/").status_code == 200
    assert "Turn on two-step sign-in" in client.get("/settings/").content.decode()
    client.post("/account/2fa/setup/", {"action": "start"})
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=alice.user)
    client.post("/account/2fa/setup/", {"code": current_code(device)})
    later = Client()
    sign_in(later, "alice", "alice-password-1")
    assert later.get("/")["Location"].startswith("/account/2fa/")
    assert Client().post("/api/v1/auth/token/", {"username": "alice", "password": "alice-password-1"}).status_code == 400
    # ... and off again, with a fresh code; staff cannot.
    now.shift(30)
    assert "Turn off two-step sign-in" in client.get("/settings/").content.decode()
    assert client.post("/account/2fa/off/", {"code": current_code(device)})["Location"] == "/settings/"
    assert not TOTPDevice.objects.filter(user=alice.user).exists()
    again = Client()
    sign_in(again, "alice", "alice-password-1")
    assert again.get("/").status_code == 200
    assert verified_login(Client(), carol.user).get("/account/2fa/off/").status_code == 404


# -- sessions


def test_a_new_session_id_at_sign_in(alice, client):
    client.get("/signin/")
    client.session.save()
    before = client.session.session_key
    sign_in(client, "alice", "alice-password-1")
    assert client.session.session_key != before


def test_staff_sessions_end_after_30_minutes_idle(carol, now):
    client = verified_login(Client(), carol.user)
    now.move_to(NOW + dt.timedelta(minutes=29))
    assert client.get("/care/").status_code == 200
    now.move_to(NOW + dt.timedelta(minutes=29 + 31))
    response = client.get("/care/")
    assert response.status_code == 302 and response["Location"] == "/signin/?ended=idle"
    assert client.get("/care/")["Location"].startswith("/signin/?next=")


def test_staff_sessions_end_after_12_hours_however_busy(carol, now):
    client = verified_login(Client(), carol.user)
    for step in range(1, 36):
        now.move_to(NOW + dt.timedelta(minutes=20 * step))
        assert client.get("/care/").status_code == 200, step
    now.move_to(NOW + dt.timedelta(hours=12, minutes=1))
    assert client.get("/care/")["Location"] == "/signin/?ended=limit"


def test_participant_sessions_last_on_their_own_phone(alice, now):
    client = Client()
    sign_in(client, "alice", "alice-password-1")
    now.move_to(NOW + dt.timedelta(days=10))
    assert client.get("/").status_code == 200


def test_a_session_cookie_replayed_after_sign_out_is_refused(alice, now, settings):
    client = Client()
    sign_in(client, "alice", "alice-password-1")
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/signout/")
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert thief.get("/").status_code == 302
    assert thief.get("/api/v1/checkins/").status_code in (401, 403)


def test_sign_out_of_all_devices(alice, now):
    phone, laptop = Client(), Client()
    sign_in(phone, "alice", "alice-password-1")
    sign_in(laptop, "alice", "alice-password-1", address="10.0.0.2")
    token = Client().post("/api/v1/auth/token/", {"username": "alice", "password": "alice-password-1"},
                          REMOTE_ADDR="10.0.0.3").json()["token"]
    response = phone.post("/settings/sign-out-everywhere/")
    assert response["Location"] == "/signin/?ended=everywhere" and response["Clear-Site-Data"]
    assert laptop.get("/")["Location"] == "/signin/?ended=everywhere"
    refused = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert refused.status_code in (401, 403) and refused.json()["detail"] == "Invalid token."
    now.move_to(NOW + dt.timedelta(seconds=1))
    again = Client()
    sign_in(again, "alice", "alice-password-1")
    assert again.get("/").status_code == 200


def test_deactivating_an_account_ends_its_sessions_at_once(carol, alice, now):
    staff = verified_login(Client(), carol.user)
    own = Client()
    sign_in(own, "alice", "alice-password-1")
    for user in (carol.user, alice.user):
        user.is_active = False
        user.save()
    assert staff.get("/care/").status_code == 302 and own.get("/").status_code == 302
    # Turned on again, the account does not get its old sessions back.
    for user in (carol.user, alice.user):
        user.is_active = True
        user.save()
    assert staff.get("/care/").status_code == 302 and own.get("/").status_code == 302
    now.move_to(NOW + dt.timedelta(seconds=1))
    fresh = Client()
    sign_in(fresh, "alice", "alice-password-1")
    assert fresh.get("/").status_code == 200
