"""A participant's "Who has seen my records" page: plain sentences, grouped by day in their zone."""

import datetime as dt

from people import make_user

from tracker.models import AuditEvent, Counselor


def seen(actor, participant, at, action="read", resource="checkins"):
    AuditEvent.objects.create(at=at, actor=actor, actor_name=actor.username, participant=participant,
                              program=participant.program, action=action, resource=resource)


def test_the_access_log_says_who_did_what_how_often_each_day(alice_client, alice, carol, program):
    carol.user.last_name = "Jones"
    carol.user.save()
    admin = Counselor.objects.create(user=make_user("pat", first_name="Pat", last_name="Lee"), program=program)
    monday = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)      # 10:00 in New York
    for minutes in (0, 5, 50):
        seen(carol.user, alice, monday + dt.timedelta(minutes=minutes))
    seen(carol.user, alice, monday, action="write", resource="tasks")
    seen(admin.user, alice, monday, action="export", resource="export")
    # 03:00 UTC on Tue 24 Nov is 22:00 on Monday in New York: the same day for alice.
    seen(carol.user, alice, dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC), resource="safety-plan")
    seen(carol.user, alice, dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC))
    page = alice_client.get("/settings/access-log/").content.decode()
    assert page.count("<h2>") == 2
    wednesday, monday_part = page.split("<h2>Mon 23 Nov</h2>")
    assert "<h2>Wed 25 Nov</h2>" in wednesday and "Carol Jones (your counselor) viewed your check-ins<" in wednesday
    for sentence in ("Carol Jones (your counselor) viewed your check-ins 3 times",
                     "Carol Jones (your counselor) changed your tasks",
                     "Carol Jones (your counselor) viewed your safety plan",
                     "Pat Lee (program staff) exported all your records"):
        assert f"<li>{sentence}</li>" in monday_part, sentence


def test_an_empty_access_log_says_nobody_has_looked(alice_client):
    assert "Nobody on your care team has opened your records yet." in alice_client.get("/settings/access-log/").text
