"""A risky answer (PHQ-9 item 9 above 0), and who is told: the heaviest flag, acknowledged only
with a note; an email to each counselor on the care team and to the on-call address, and a
push where a counselor turned that on, at once, at any hour, once per answer; the program's
admins told once when nobody acknowledged it in time. The same notice, per program, for use
reported and for a request to talk.

alice is the participant; carol and dan are on her care team (carol with urgent notices on her
device too); erin is a counselor of the program not on alice's team; pat is the program's admin,
not on alice's team either. "now" is Wed 18 Nov 2026, 12:00 in New York (17:00 UTC).
"""

import base64
import datetime as dt
import json
import re
import socket
import uuid

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.test.signals import template_rendered
from django.urls import reverse
from rest_framework.test import APIClient

from people import NOW, confirm_email, make_user
from project.celery import app as celery_app
from pushservice import PushService
from signin import verified_login
from tracker import services, triage, urgent
from tracker.models import (AuditEvent, Counselor, FlagAcknowledgement, Participant, Program, PushSubscription,
                            UrgentAlert)
from tracker.tasks import urgent_alert_send, urgent_tick
# The real Redis and Celery worker of the reminders' end-to-end test (fixtures).
from test_reminders_worker import redis_server, wait_for, worker  # noqa: F401

pytestmark = pytest.mark.usefixtures("local_push_service", "sends_in_this_thread")
UTC = dt.UTC
# Words that would tell a lock screen or an inbox preview something about someone's health.
HEALTH_WORDS = re.compile(r"phq|item|risk|suicid|harm|death|dead|kill|safety|answer|questionnaire|depress|"
                          r"\buse\b|\bused\b|drug|alcohol|relapse|setback|talk|several days", re.I)


@pytest.fixture
def team(program, alice, carol):
    """alice's care team (carol, dan), erin beside it, pat the admin; the on-call address."""
    alice.user.first_name, alice.user.last_name = "Alice", "Moreno"
    alice.user.save()
    carol.user.email = "carol@clinic.example"  # set by the program on her invitation, never confirmed
    carol.user.save()
    carol.urgent_push = True
    carol.save()
    dan = Counselor.objects.create(user=make_user("dan", first_name="Dan"), program=program)
    confirm_email(dan.user, "dan@clinic.example")
    alice.care_team.add(dan)
    erin = Counselor.objects.create(user=make_user("erin", email="erin@clinic.example"), program=program)
    pat = Counselor.objects.create(user=make_user("pat", email="pat@clinic.example"), program=program,
                                   is_program_admin=True)
    program.on_call_email = "oncall@clinic.example"
    program.save()
    return {"carol": carol, "dan": dan, "erin": erin, "pat": pat}


def subscribe(counselor, push_service):
    info = push_service.subscription()
    services.push_subscription_save(user=counselor.user, endpoint=info["endpoint"], keys=info["keys"])
    return info


def answer_body(value=1, answered_at=None):
    return {"response_id": str(uuid.uuid4()), "instrument": "phq9", "version": "1", "item": "9", "value": value,
            "answered_at": (answered_at or dt.datetime.now(UTC)).isoformat()}


def put_answer(api, answer_id=None, body=None, **fields):
    answer_id = answer_id or uuid.uuid4()
    response = api.put(f"/api/v1/safety-answers/{answer_id}/", body or answer_body(**fields), format="json")
    assert response.status_code in (200, 201), response.content
    return answer_id


def flags_of(participant):
    return {f.key: f for f in triage.caseload([Participant.objects.get(pk=participant.pk)])[0].flags}


def send_all():
    """What a worker does with each alert handed to it."""
    for pk in UrgentAlert.objects.values_list("pk", flat=True):
        urgent_alert_send(pk)


def pushed(push_service):
    return [r.payload for r in push_service.delivered()]


# -- the flag


def test_a_risky_answer_raises_the_heaviest_flag_in_words_a_counselor_reads(api, alice, now):
    answer_id = put_answer(api, value=1, answered_at=NOW - dt.timedelta(hours=1))
    flag = flags_of(alice)["safety_answer"]
    assert (flag.label, flag.severity, flag.evidence) == ("Risky answer on a questionnaire", "urgent", str(answer_id))
    # 16:00 UTC is 11:00 in New York, alice's zone (the triage reads in the active zone: UTC here).
    assert flag.text == "PHQ-9 item 9: “Several days”, Wed 18 Nov, 16:00."
    assert triage.WEIGHTS["safety_answer"] > max(w for k, w in triage.WEIGHTS.items() if k != "safety_answer")
    assert flag.note_required and not any(f.note_required for k, f in flags_of(alice).items() if k != "safety_answer")


def test_the_newest_answer_to_arrive_is_the_evidence_even_if_answered_earlier(api, alice, now):
    put_answer(api, value=3)
    now.shift(dt.timedelta(minutes=5))
    late = put_answer(api, value=2, answered_at=NOW - dt.timedelta(hours=3))  # from a phone that was offline
    flag = flags_of(alice)["safety_answer"]
    assert flag.evidence == str(late) and "“More than half the days”" in flag.text


def test_the_flag_shows_on_the_caseload_the_trends_page_and_the_week(api, alice, carol_client, now):
    put_answer(api, value=1)
    for url in ("/care/", f"/care/participants/{alice.pk}/", f"/care/participants/{alice.pk}/summary/"):
        page = carol_client.get(url).content.decode()
        assert "Risky answer on a questionnaire" in page and "PHQ-9 item 9: “Several days”" in page, url
    caseload = carol_client.get("/api/v1/care/caseload/").json()
    (flag,) = [f for f in caseload[0]["flags"] if f["key"] == "safety_answer"]
    assert flag["note_required"] is True and flag["severity"] == "urgent"


# -- acknowledged only with a note


def test_the_page_refuses_an_acknowledgement_without_a_note_next_to_the_note_box(api, alice, carol_client, now):
    put_answer(api)
    flag = flags_of(alice)["safety_answer"]
    url = reverse("care_acknowledge", args=[alice.pk])
    page_url = f"/care/participants/{alice.pk}/"
    response = carol_client.post(url, {"flag": flag.key, "evidence": flag.evidence, "note": "   ", "next": page_url},
                                 follow=True)
    assert not FlagAcknowledgement.objects.exists()
    page = response.content.decode()
    box = f"note-{alice.pk}-safety_answer"
    error = re.search(rf'<p class="error" id="{box}_error">([^<]*)</p>', page)
    assert error and error.group(1).startswith("Write a note to acknowledge this flag")
    field = next(tag for tag in page.split("<") if f'id="{box}"' in tag)
    assert 'aria-invalid="true"' in field and f'aria-describedby="{box}_error"' in field
    assert "Nothing was acknowledged: see the note below." in page
    # Shown once: the next visit has no error.
    assert "_error" not in carol_client.get(page_url).content.decode().split("Flags today")[1].split("</section>")[0]

    carol_client.post(url, {"flag": flag.key, "evidence": flag.evidence, "note": "Called her, safe, seeing her at 4"})
    ack = FlagAcknowledgement.objects.get()
    assert (ack.flag, ack.evidence, ack.note) == ("safety_answer", flag.evidence, "Called her, safe, seeing her at 4")
    assert flags_of(alice)["safety_answer"].acknowledgement == ack


def test_the_caseload_shows_the_refusal_next_to_its_note_box_too(api, alice, carol_client, now):
    put_answer(api)
    flag = flags_of(alice)["safety_answer"]
    page = carol_client.post(reverse("care_acknowledge", args=[alice.pk]),
                             {"flag": flag.key, "evidence": flag.evidence, "next": "/care/"}, follow=True).content.decode()
    for box in (f"note-{alice.pk}-safety_answer", f"desk-note-{alice.pk}-safety_answer"):
        assert f'<p class="error" id="{box}_error">Write a note' in page, box


def test_a_refusal_is_not_lost_to_a_page_fetched_at_the_same_time(now, api, alice, carol_client):
    """The service worker fetches pages in the background with the same session. One that read the
    session before the refused post kept its refusal there, and saved after, used to put back the
    old copy: the refusal was gone from the page the post led to (the flaky desk-width test). A
    minute on, when the idle clock is due to be written, so the post writes the session anyway."""
    put_answer(api)
    flag = flags_of(alice)["safety_answer"]
    posted = []

    def post_while_the_fetch_is_running(sender, **kwargs):
        if not posted:  # the background fetch has read the session and is rendering its page
            posted.append(carol_client.post(reverse("care_acknowledge", args=[alice.pk]),
                                            {"flag": flag.key, "evidence": flag.evidence, "next": "/care/"}))

    now.shift(dt.timedelta(seconds=61))
    background = Client(HTTP_SEC_FETCH_MODE="same-origin")  # as the worker's fetch() sends it
    background.cookies = carol_client.cookies  # and with the page's cookie
    template_rendered.connect(post_while_the_fetch_is_running)
    try:
        assert background.get("/help/").status_code == 200
    finally:
        template_rendered.disconnect(post_while_the_fetch_is_running)
    assert posted and posted[0].status_code == 302
    page = carol_client.get("/care/").content.decode()
    assert f'<p class="error" id="desk-note-{alice.pk}-safety_answer_error">Write a note' in page


def test_background_fetches_do_not_keep_a_staff_session_alive(now, carol_client):
    background = Client(HTTP_SEC_FETCH_MODE="cors")
    background.cookies = carol_client.cookies
    for minutes in (10, 20, 29):
        now.move_to(NOW + dt.timedelta(minutes=minutes))
        assert background.get("/api/v1/care/caseload/").status_code == 200
    now.move_to(NOW + dt.timedelta(minutes=31))
    assert carol_client.get("/care/")["Location"] == "/signin/?ended=idle"


def test_a_staff_session_is_written_for_its_idle_clock_at_most_once_a_minute(now, carol_client):
    key = carol_client.session.session_key

    def stored():
        return Session.objects.get(pk=key).session_data

    carol_client.get("/care/")
    before = stored()
    now.shift(dt.timedelta(seconds=59))
    carol_client.get("/care/")
    assert stored() == before
    now.shift(dt.timedelta(seconds=2))
    carol_client.get("/care/")
    assert stored() != before and carol_client.session["seen_at"] == (NOW + dt.timedelta(seconds=61)).timestamp()


def test_the_api_refuses_it_without_a_note_with_a_400_and_other_flags_need_none(api, alice, carol, now):
    put_answer(api)
    services.urge_put(participant=alice, id=uuid.uuid4(), data={"occurred_at": NOW, "intensity": 9})
    client = verified_login(APIClient(), carol.user)
    url = f"/api/v1/care/participants/{alice.pk}/acknowledgements/"
    flags = flags_of(alice)
    refused = client.post(url, {"flag": "safety_answer", "evidence": flags["safety_answer"].evidence}, format="json")
    assert refused.status_code == 400 and refused.json()["note"][0].startswith("Write a note")
    assert not FlagAcknowledgement.objects.exists()
    other = client.post(url, {"flag": "high_urge", "evidence": flags["high_urge"].evidence}, format="json")
    assert other.status_code == 201 and other.json()["note_required"] is False
    taken = client.post(url, {"flag": "safety_answer", "evidence": flags["safety_answer"].evidence,
                              "note": "Called, safe"}, format="json")
    assert taken.status_code == 201 and taken.json()["acknowledgement_note"] == "Called, safe"


def test_an_acknowledged_risky_answer_leaves_the_list_a_week_after_it_came(api, alice, carol, now):
    put_answer(api)
    services.flag_acknowledge(request=acknowledging(carol), participant=alice, counselor=carol, flag="safety_answer",
                              evidence=flags_of(alice)["safety_answer"].evidence, note="Seen in person")
    now.shift(dt.timedelta(days=6))
    assert flags_of(alice)["safety_answer"].acknowledgement is not None
    now.shift(dt.timedelta(days=2))
    assert "safety_answer" not in flags_of(alice)


def acknowledging(counselor):
    """A request of `counselor`'s, for calling the acknowledgement service directly."""
    request = RequestFactory().post("/")
    request.user = counselor.user
    return request


# -- told at once, at any hour, once


def test_at_3_am_in_quiet_hours_each_counselor_on_the_team_and_on_call_are_told_once(
        api, alice, team, now, mailoutbox, push_service, django_capture_on_commit_callbacks):
    carol, dan = team["carol"], team["dan"]
    subscribe(carol, push_service)
    subscribe(dan, push_service)  # dan has a device but did not turn urgent notices on for it
    subscribe(team["erin"], push_service)
    Participant.objects.filter(pk=alice.pk).update(quiet_start=dt.time(22), quiet_end=dt.time(7))
    # Thu 19 Nov, 03:00 in New York: in alice's quiet hours and long outside office hours.
    three_am = dt.datetime(2026, 11, 19, 8, 0, tzinfo=UTC)
    now.move_to(three_am)
    body = answer_body(value=2)
    with django_capture_on_commit_callbacks() as handed_over:
        answer_id = put_answer(api, body=body)
    assert len(handed_over) == 1   # the send is handed to a worker when the write commits
    alert = UrgentAlert.objects.get()
    assert (alert.flag, alert.evidence, alert.notified_at) == ("safety_answer", str(answer_id), None)

    urgent_alert_send(alert.pk)
    assert sorted(m.to[0] for m in mailoutbox) == ["carol@clinic.example", "dan@clinic.example", "oncall@clinic.example"]
    (payload,) = pushed(push_service)
    assert payload == {"title": "Steady", "body": "Someone on your caseload needs a look",
                       "url": f"/care/participants/{alice.pk}/", "tag": f"steady-urgent-{alert.pk}", "kind": "urgent"}
    alert.refresh_from_db()
    assert alert.notified_at == three_am
    assert alert.sent_to == [f"email:{carol.pk}", f"email:{dan.pk}", "on_call", f"push:{carol.pk}"]
    (received,) = push_service.delivered()
    headers = {k.lower(): v for k, v in received.headers.items()}
    assert (headers["urgency"], headers["topic"]) == ("high", f"u{alert.pk}")

    # A replayed PUT, a redelivered task and the tick send nothing more.
    with django_capture_on_commit_callbacks() as handed_over:
        put_answer(api, answer_id, body=body)
    assert handed_over == [] and UrgentAlert.objects.count() == 1
    urgent_alert_send(alert.pk)
    urgent_tick()
    assert len(mailoutbox) == 3 and len(push_service.delivered()) == 1


def test_the_words_name_nobody_and_say_nothing_about_health(api, alice, team, now, mailoutbox, push_service):
    subscribe(team["carol"], push_service)
    team["pat"].urgent_push = True
    team["pat"].save()
    subscribe(team["pat"], push_service)
    put_answer(api, value=3)
    send_all()
    now.shift(dt.timedelta(minutes=61))
    urgent_tick()   # the admin is told too
    assert len(mailoutbox) == 4 and len(pushed(push_service)) == 2
    texts = [m.subject for m in mailoutbox] + [m.body for m in mailoutbox] + [
        json.dumps(p) for p in pushed(push_service)]
    for text in texts:
        assert not HEALTH_WORDS.search(text), text
        for name in ("alice", "Alice", "Moreno"):
            assert name not in text, text
    assert {m.subject for m in mailoutbox if m.to != ["pat@clinic.example"]} >= {"Someone on your caseload needs a look"}
    (carols,) = [m for m in mailoutbox if m.to == ["carol@clinic.example"]]
    assert f"{settings.SITE_URL}/care/participants/{alice.pk}/" in carols.body and "Open Steady to see who" in carols.body


def test_with_nothing_to_tell_but_the_care_team_by_email_only_the_email_goes(api, alice, team, now, mailoutbox):
    """No on-call address, no device: each counselor on the team by email; an inactive one not."""
    Program.objects.update(on_call_email="")
    team["dan"].user.is_active = False
    team["dan"].user.save()
    put_answer(api)
    send_all()
    assert [m.to for m in mailoutbox] == [["carol@clinic.example"]]
    assert UrgentAlert.objects.get().sent_to == [f"email:{team['carol'].pk}"]


def test_a_gone_device_is_forgotten_and_the_email_still_goes(api, alice, team, now, mailoutbox, push_service):
    info = push_service.subscription(statuses=[410])
    services.push_subscription_save(user=team["carol"].user, endpoint=info["endpoint"], keys=info["keys"])
    put_answer(api)
    send_all()
    assert not PushSubscription.objects.exists()
    assert UrgentAlert.objects.get().sent_to == [f"email:{team['carol'].pk}", f"email:{team['dan'].pk}", "on_call"]


def test_each_answer_is_its_own_notice(api, alice, team, now, mailoutbox):
    put_answer(api, value=1)
    now.shift(dt.timedelta(minutes=20))
    put_answer(api, value=2)
    send_all()
    assert UrgentAlert.objects.count() == 2 and len(mailoutbox) == 6


def test_the_commit_hands_the_alert_to_the_broker_by_name(api, alice, team, now, django_capture_on_commit_callbacks):
    broker = redis.Redis.from_url(celery_app.conf.broker_url)
    broker.delete("celery")
    with django_capture_on_commit_callbacks(execute=True):
        put_answer(api)
    alert = UrgentAlert.objects.get()
    (raw,) = broker.lrange("celery", 0, -1)
    broker.delete("celery")
    message = json.loads(raw)
    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert (message["headers"]["task"], args, kwargs) == ("tracker.tasks.urgent_alert_send", [alert.pk], {})


def test_with_the_broker_down_the_answer_is_saved_and_the_tick_sends_it(
        api, alice, team, now, mailoutbox, broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        put_answer(api)
    alert = UrgentAlert.objects.get()
    assert alert.notified_at is None and mailoutbox == []
    assert urgent_tick() is None
    alert.refresh_from_db()
    assert alert.notified_at == NOW and len(mailoutbox) == 3


@pytest.fixture
def broker_down():
    """The Celery app's broker is a local port nobody listens on: Redis is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    old_url = celery_app.conf.broker_url

    def use(url):
        celery_app.conf.broker_url = url
        kombu.pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    use(f"redis://127.0.0.1:{port}/0")
    yield
    use(old_url)


# -- escalation


def test_nobody_acknowledges_in_time_so_each_admin_is_told_once(api, alice, team, now, mailoutbox, push_service):
    team["pat"].urgent_push = True
    team["pat"].save()
    subscribe(team["pat"], push_service)
    put_answer(api)
    send_all()
    mailoutbox.clear()
    now.shift(dt.timedelta(minutes=59, seconds=59))
    urgent_tick()
    assert mailoutbox == [] and UrgentAlert.objects.get().escalated_at is None
    now.shift(dt.timedelta(seconds=1))   # 60 minutes, the program's default
    urgent_tick()
    (message,) = mailoutbox
    assert message.to == ["pat@clinic.example"]
    assert message.subject == "Someone on a caseload in your program needs a look"
    assert "nobody has acknowledged it yet" in message.body and f"{settings.SITE_URL}/care/urgent/" in message.body
    (payload,) = pushed(push_service)
    assert (payload["body"], payload["url"]) == ("Someone on a caseload in your program needs a look", "/care/urgent/")
    alert = UrgentAlert.objects.get()
    assert alert.escalated_at == NOW + dt.timedelta(minutes=60)
    assert alert.sent_to[-2:] == [f"admin-email:{team['pat'].pk}", f"admin-push:{team['pat'].pk}"]
    for _ in range(2):
        now.shift(dt.timedelta(minutes=5))
        urgent_tick()
    assert len(mailoutbox) == 1 and len(pushed(push_service)) == 1


def test_acknowledged_in_time_nobody_else_is_told(api, alice, team, now, mailoutbox):
    put_answer(api)
    send_all()
    now.shift(dt.timedelta(minutes=45))
    services.flag_acknowledge(request=acknowledging(team["dan"]), participant=alice, counselor=team["dan"],
                              flag="safety_answer", evidence=flags_of(alice)["safety_answer"].evidence,
                              note="Called, she is with her sister")
    now.shift(dt.timedelta(hours=3))
    urgent_tick()
    assert len(mailoutbox) == 3 and UrgentAlert.objects.get().escalated_at is None


def test_an_acknowledgement_from_before_the_answer_does_not_count(api, alice, team, now, mailoutbox):
    put_answer(api)
    services.flag_acknowledge(request=acknowledging(team["carol"]), participant=alice, counselor=team["carol"],
                              flag="safety_answer", evidence=flags_of(alice)["safety_answer"].evidence, note="Called")
    now.shift(dt.timedelta(minutes=10))
    put_answer(api, value=2)
    send_all()
    now.shift(dt.timedelta(minutes=60))
    urgent_tick()
    assert [m.to for m in mailoutbox[-1:]] == [["pat@clinic.example"]]
    assert sorted(a.escalated_at is not None for a in UrgentAlert.objects.all()) == [False, True]


def test_the_time_before_the_admins_are_told_is_the_programs(api, alice, team, program, now, mailoutbox):
    program.urgent_ack_minutes = 15
    program.save()
    put_answer(api)
    send_all()
    now.shift(dt.timedelta(minutes=14))
    urgent_tick()
    assert len(mailoutbox) == 3
    now.shift(dt.timedelta(minutes=1))
    urgent_tick()
    assert mailoutbox[-1].to == ["pat@clinic.example"] and len(mailoutbox) == 4


# -- the other urgent flags, per program


def test_use_and_talk_notify_only_where_the_program_turned_them_on(api, alice, team, program, now, mailoutbox):
    talk_id, urge_id = uuid.uuid4(), uuid.uuid4()
    assert api.put(f"/api/v1/talk/{talk_id}/", {"source": "today"}, format="json").status_code == 201
    services.urge_put(participant=alice, id=urge_id, data={"occurred_at": NOW, "intensity": 7, "outcome": "used"})
    assert not UrgentAlert.objects.exists()

    program.urgent_notify_flags = ["talk", "use"]
    program.save()
    alice.program.refresh_from_db()
    now.shift(dt.timedelta(minutes=1))
    talk_id, urge_id = uuid.uuid4(), uuid.uuid4()
    api.put(f"/api/v1/talk/{talk_id}/", {"source": "support"}, format="json")
    api.put(f"/api/v1/talk/{talk_id}/", {"source": "support"}, format="json")   # a replay
    services.urge_put(participant=alice, id=urge_id, data={"occurred_at": NOW, "intensity": 7, "outcome": "used"})
    services.urge_put(participant=alice, id=urge_id, data={"occurred_at": NOW, "intensity": 7, "outcome": "used",
                                                           "note": "changed later"})   # the same event
    services.urge_put(participant=alice, id=uuid.uuid4(), data={"occurred_at": NOW, "intensity": 7, "outcome": "passed"})
    services.urge_put(participant=alice, id=uuid.uuid4(), data={  # logged late, long past: no notice now
        "occurred_at": NOW - dt.timedelta(days=20), "intensity": 7, "outcome": "used"})
    alerts = {a.flag: a for a in UrgentAlert.objects.all()}
    assert {f: a.evidence for f, a in alerts.items()} == {"talk": f"talk:{talk_id}", "use": f"urge:{urge_id}"}
    assert flags_of(alice)["talk"].evidence == alerts["talk"].evidence   # acknowledging the flag stops the escalation
    send_all()
    assert len(mailoutbox) == 6
    assert {m.subject for m in mailoutbox} == {"Someone on your caseload needs a look",
                                               "Someone on a caseload in your program needs a look"}

    # Acknowledging "Asked to talk" stops its escalation; "use" (nobody acknowledged) goes to the admin.
    services.flag_acknowledge(request=acknowledging(team["carol"]), participant=alice, counselor=team["carol"],
                              flag="talk", evidence=flags_of(alice)["talk"].evidence, note="")
    now.shift(dt.timedelta(minutes=61))
    urgent_tick()
    alerts = {a.flag: a for a in UrgentAlert.objects.all()}
    assert alerts["talk"].escalated_at is None and alerts["use"].escalated_at is not None


def test_use_reported_takes_only_the_known_kinds_and_once_per_event(alice, program, now):
    program.urgent_notify_flags = ["use"]
    program.save()
    with pytest.raises(ValueError):
        urgent.use_reported(alice, "note:1")
    first = urgent.use_reported(alice, "checkin:6c0a8b3e-4f0e-4a52-9d0e-2f1f6c1b7a10")
    again = urgent.use_reported(alice, "checkin:6c0a8b3e-4f0e-4a52-9d0e-2f1f6c1b7a10")
    assert first == again and first.flag == "use"
    assert urgent.use_reported(alice, "response:6c0a8b3e-4f0e-4a52-9d0e-2f1f6c1b7a11").pk != first.pk


# -- settings


def program_form(**changes):
    data = {"time_zone": "America/New_York", "phone": "", "office_weekdays": ["0", "1", "2", "3", "4"],
            "office_opens": "09:00", "office_closes": "17:00", "harm_reduction_on": "on", "harm_reduction_text": "",
            "still_welcome_text": "", "on_call_email": "oncall@clinic.example", "urgent_ack_minutes": "30",
            "urgent_notify_flags": ["use"]}
    return {**data, **changes}


def test_the_program_admin_sets_the_on_call_address_the_minutes_and_the_other_flags(team, program, now):
    client = verified_login(Client(), team["pat"].user)
    assert client.post("/care/settings/program/", program_form(urgent_notify_flags=["talk", "use"])).status_code == 302
    program.refresh_from_db()
    assert (program.on_call_email, program.urgent_ack_minutes, program.urgent_notify_flags) == (
        "oncall@clinic.example", 30, ["talk", "use"])
    page = client.get("/care/settings/program/").content.decode()
    assert re.search(r'value="talk"[^>]*checked', page) and re.search(r'value="use"[^>]*checked', page)
    assert "Also notify at once when someone asks to talk" in page
    assert AuditEvent.objects.filter(resource="program-settings", action="write").count() == 1
    # Left empty, the minutes go back to 60; no on-call address and no other flag are fine.
    client.post("/care/settings/program/", program_form(urgent_ack_minutes="", on_call_email="", urgent_notify_flags=[]))
    program.refresh_from_db()
    assert (program.on_call_email, program.urgent_ack_minutes, program.urgent_notify_flags) == ("", 60, [])


@pytest.mark.parametrize(("field", "value", "message"), [
    ("on_call_email", "not an address", "Enter an email address like oncall@example.org, or leave it empty."),
    ("urgent_ack_minutes", "2", "Give a number of minutes from 5 to 1440 (a day)."),
    ("urgent_ack_minutes", "5000", "Give a number of minutes from 5 to 1440 (a day)."),
    ("urgent_ack_minutes", "ten", "Give a number of minutes from 5 to 1440 (a day)."),
    ("urgent_notify_flags", ["sleep"], "Pick from the choices shown."),
])
def test_bad_settings_are_refused_next_to_their_field_and_keep_what_was_typed(team, program, now, field, value,
                                                                              message):
    client = verified_login(Client(), team["pat"].user)
    response = client.post("/care/settings/program/", program_form(**{field: value}))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<p class="error" id="id_{field}_error">{message}</p>' in page.replace("&#x27;", "'")
    if isinstance(value, str) and value:
        assert f'value="{value}"' in page
    program.refresh_from_db()
    assert (program.on_call_email, program.urgent_ack_minutes) == ("oncall@clinic.example", 60)


def test_a_counselor_turns_urgent_notices_on_for_their_devices(carol, carol_client, now):
    page = carol_client.get("/care/settings/").content.decode()
    assert 'id="urgent-push-setup"' in page and "js/urgent." in page and 'data-key="' in page
    assert "Urgent notices on this device too" in page
    response = carol_client.post("/care/settings/", {"time_zone": "America/Chicago", "urgent_push": "on"})
    assert response.status_code == 302
    carol.refresh_from_db()
    assert (carol.time_zone, carol.urgent_push) == ("America/Chicago", True)
    carol_client.post("/care/settings/", {"time_zone": "America/Chicago"})
    carol.refresh_from_db()
    assert carol.urgent_push is False


def test_a_counselor_subscribes_a_device_and_signing_out_removes_it(carol, push_service, now):
    client = verified_login(APIClient(), carol.user)
    info = push_service.subscription()
    assert client.post("/api/v1/push-subscriptions/", info, format="json").status_code == 201
    assert PushSubscription.objects.get().user == carol.user
    assert client.delete("/api/v1/push-subscriptions/", {"endpoint": info["endpoint"]}, format="json").status_code == 204
    assert not PushSubscription.objects.exists()


def test_staff_who_are_neither_still_cannot_subscribe(dave, push_service):
    client = verified_login(APIClient(), dave)
    assert client.post("/api/v1/push-subscriptions/", push_service.subscription(), format="json").status_code == 403


# -- the admins' page


def test_the_admins_page_names_who_and_their_team_never_what(api, alice, team, now):
    put_answer(api)
    send_all()
    client = verified_login(Client(), team["pat"].user)
    page = client.get("/care/urgent/").content.decode()
    main = page.split('<main id="main"')[1]
    assert "Alice Moreno" in main and "Carol" in main and "dan@clinic.example" in main
    assert "1 not acknowledged yet." in main and "3 notices sent" in main
    assert not re.search(r"phq|risky|item 9|several days|questionnaire", main, re.I)
    assert f'href="/care/participants/{alice.pk}/"' not in main   # pat is not on alice's team
    row = AuditEvent.objects.order_by("-pk").first()
    assert (row.resource, row.action, row.participants_shown) == ("urgent-alerts", "read", f",{alice.pk},")
    for who in ("carol", "erin"):
        other = verified_login(Client(), team[who].user)
        assert other.get("/care/urgent/").status_code == 404


# -- the whole path with real parts: the commit publishes to a real Redis, a real Celery worker sends


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_risky_answer_goes_through_redis_and_a_worker_to_the_counselors_device(api, alice, team, worker):
    with PushService() as push_service:
        subscribe(team["carol"], push_service)
        put_answer(api, value=1)
        (received,) = push_service.wait_for(1)
        assert received.payload["body"] == "Someone on your caseload needs a look"
        wait_for(lambda: UrgentAlert.objects.get().sent_to, "the worker to record whom it told", timeout=10)
        carol, dan = team["carol"], team["dan"]
        assert UrgentAlert.objects.get().sent_to == [f"email:{carol.pk}", f"email:{dan.pk}", "on_call", f"push:{carol.pk}"]
        # The tick finds nothing left to send: still one notice on the device.
        urgent_tick()
        assert len(push_service.delivered()) == 1
