"""Enrolment by invitation, a participant's own export, closing an account and the purge."""

import datetime as dt
import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from people import NOW, make_user
from signin import verified_login
from tracker import accounts, audit, episodes, plan_reviews, reminders, services
from tracker.models import (
    AftercarePlan,
    Attendance,
    AuditEvent,
    Checkup,
    CheckupAnswer,
    Counselor,
    Delivery,
    Episode,
    FlagAcknowledgement,
    Goal,
    GoalReview,
    Group,
    GroupMembership,
    GroupSession,
    Invitation,
    LevelChange,
    NoticeAcknowledgement,
    Participant,
    PlanReview,
    Program,
    PushSubscription,
    Reminder,
    Tombstone,
)

User = get_user_model()


@pytest.fixture
def link(carol, now):
    invitation, token = accounts.invitation_create(program=carol.program, role="participant", name="Dee",
                                                   email="dee@clinic.test", created_by=carol.user)
    return invitation, token


def join(client, token, **data):
    body = {"username": "dee", "password": "a calm river at dawn", "password_again": "a calm river at dawn",
            "time_zone": "America/Chicago", "acknowledged": "on", **data}
    return client.post(f"/j/{token}/", body)


def test_a_counselor_makes_a_link_with_a_qr_code(carol_client, carol, now):
    page = carol_client.post("/care/invitations/", {"name": "Dee", "email": ""}).content.decode()
    invitation = Invitation.objects.get()
    link = page.split('id="invite-link" value="')[1].split('"')[0]
    assert link.startswith("http://testserver/j/") and "<svg" in page
    assert invitation.token_hash not in link and len(link.rsplit("/", 2)[-2]) == 16
    assert invitation.expires_at == NOW + dt.timedelta(days=7)
    assert (invitation.created_by, invitation.role) == (carol.user, "participant")


def test_joining_makes_the_account_and_lands_on_today(link, client, carol):
    invitation, token = link
    page = client.get(f"/j/{token}/").content.decode()
    assert "Who sees what" in page and "Keep this note to myself" in page and "data-browser-zone" in page
    response = join(client, token)
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="dee")
    participant = user.participant
    assert (participant.time_zone, participant.program) == ("America/Chicago", carol.program)
    assert list(participant.care_team.all()) == [carol]
    notice = NoticeAcknowledgement.objects.get(user=user)
    assert notice.version == accounts.NOTICE_VERSION and notice.acknowledged_at == NOW
    assert notice.text == accounts.notice_text(carol.program) and "42 CFR Part 2" in notice.text
    assert "Welcome to Steady" in client.get("/").content.decode()
    invitation.refresh_from_db()
    assert invitation.used_by == user and invitation.state == "used"
    assert Reminder.objects.filter(participant=participant).exists()


def test_the_notice_must_be_acknowledged_and_mistakes_keep_what_was_typed(link, client):
    _, token = link
    page = join(client, token, acknowledged="", password_again="something else entirely").content.decode()
    assert "The two passwords don’t match." in page and "tick the box" in page
    assert 'value="dee"' in page and not User.objects.filter(username="dee").exists()
    weak = join(client, token, password="password123", password_again="password123").content.decode()
    assert "too common" in weak and not User.objects.filter(username="dee").exists()


def test_a_link_works_once(link, client):
    _, token = link
    join(client, token)
    other = Client()
    assert other.get(f"/j/{token}/").status_code == 404
    assert join(other, token, username="someone").status_code == 404
    assert User.objects.filter(username="someone").count() == 0
    with pytest.raises(accounts.InvitationClosed):
        accounts.enrol(token=token, username="third", password="x" * 12, time_zone="UTC", acknowledged=True)


def test_a_link_expires_after_seven_days(link, client, now):
    _, token = link
    now.move_to(NOW + dt.timedelta(days=7, seconds=-1))
    assert client.get(f"/j/{token}/").status_code == 200
    now.move_to(NOW + dt.timedelta(days=7))
    assert client.get(f"/j/{token}/").status_code == 404
    assert join(client, token).status_code == 404


def test_a_revoked_or_tampered_link_does_not_work(link, carol_client, client):
    invitation, token = link
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/j/{tampered}/").status_code == 404
    carol_client.post(f"/care/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    assert client.get(f"/j/{token}/").status_code == 404
    assert "doesn’t work any more" in client.get(f"/j/{token}/").content.decode()


def test_only_the_maker_or_an_admin_revokes(link, program, client):
    invitation, _ = link
    erin = Counselor.objects.create(user=make_user("erin"), program=program)
    assert verified_login(client, erin.user).post(f"/care/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.state == "open"


def test_program_admins_invite_counselors(program, client, now):
    admin = Counselor.objects.create(user=make_user("mia"), program=program, is_program_admin=True)
    verified_login(client, admin.user)
    page = client.post("/care/invitations/", {"name": "Ray", "role": "counselor"}).content.decode()
    token = page.split('id="invite-link" value="')[1].split('"')[0].rstrip("/").rsplit("/", 1)[1]
    newcomer = Client()
    response = newcomer.post(f"/j/{token}/", {"username": "ray", "password": "four quiet harbour lights",
                                               "password_again": "four quiet harbour lights"})
    assert response.status_code == 302 and response["Location"] == "/account/2fa/setup/"
    assert Counselor.objects.get(user__username="ray").program == program
    # ... and has no participant data before the second factor is set up.
    assert newcomer.get("/care/").status_code == 302


def test_a_counselor_who_is_not_an_admin_invites_only_participants(carol_client, carol, now):
    carol_client.post("/care/invitations/", {"name": "Ray", "role": "counselor"})
    assert Invitation.objects.get().role == "participant"


# -- a participant's own data


def everything_about(alice):
    """A row in every table that holds something of alice's."""
    reminders.reminders_sync(participant=alice)
    reminder = Reminder.objects.filter(participant=alice).first()
    Delivery.objects.create(reminder=reminder, due_at=NOW, status="sent", sent_at=NOW)
    PushSubscription.objects.create(user=alice.user, endpoint="https://push.test/1", p256dh="k", auth="a")
    FlagAcknowledgement.objects.create(participant=alice, flag="sleep", evidence="x", note="ok")
    NoticeAcknowledgement.objects.create(user=alice.user, version="v1", text="notice")
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={
        "date": alice.local_today(), "stress": 2, "note": "only mine", "note_private": True})
    gone = services.goal_put(participant=alice, id=uuid.uuid4(), actor=alice.user, data={"title": "GONE-MARKER"})
    services.entry_delete(entry=gone.entry)  # leaves a tombstone: its id, kind and when


def a_finished_episode_and_a_new_one(alice, carol):
    """Issue 18: a plan review, a discharge with its aftercare plan, a check-up answered, and a
    re-admission: rows that reach alice only through her episodes."""
    today = alice.local_today()
    goal = services.goal_put(participant=alice, id=uuid.uuid4(), actor=carol.user, data={"title": "Sleep by eleven"})
    plan_reviews.review_record(participant=alice, counselor=carol, reviewed_on=today, note="PLAN-REVIEW-NOTE",
                               goals=[plan_reviews.GoalProgress(goal_id=goal.entry.pk, progress="progressing")])
    first = episodes.discharge(episode=alice.open_episode, discharged_on=today, discharge_type="stepped_down",
                               note="CARE-TEAM-DISCHARGE-NOTE")
    AftercarePlan.objects.create(episode=first, next_provider="Hillside outpatient", checkups=True)
    checkup = Checkup.objects.create(participant=alice, episode=first, due_on=today, opens_at=NOW, closes_at=NOW,
                                     items=[1, 2])
    CheckupAnswer.objects.create(participant=alice, checkup=checkup, answers={"1": 0}, wants_talk=True)
    episodes.admit(participant=alice, admitted_on=today, level_of_care="op", counselor=carol, actor=carol.user)


def test_the_export_holds_every_row_linked_to_the_person(alice_with_entries, carol, carol_client, alice_client):
    alice = alice_with_entries
    everything_about(alice)
    a_finished_episode_and_a_new_one(alice, carol)
    carol_client.get(f"/care/participants/{alice.pk}/")
    data = json.loads(alice_client.get("/settings/my-data.json").content)
    exported = {str(row["id"]) for rows in data["records"].values() for row in rows}
    # Tables that point at a participant or a user, and what the export does with them.
    not_exported = {"authtoken.Token": "a secret", "otp_totp.TOTPDevice": "a secret",
                    "otp_static.StaticDevice": "a secret", "admin.LogEntry": "the admin site's own actions",
                    "tracker.AccountState": "session bookkeeping", "tracker.Invitation": "the program's link, not theirs",
                    "tracker.Counselor": "staff, not participants", "tracker.Participant": "the header of the export"}
    checked = 0
    for model, field in accounts.tables_linked_to_participants():
        label = model._meta.label
        if label in not_exported:
            continue
        owner = alice if model._meta.get_field(field).related_model is Participant else alice.user
        for row in model.objects.filter(**{field: owner}):
            assert str(row.pk) in exported, (label, row.pk)
            checked += 1
    deliveries = Delivery.objects.filter(reminder__participant=alice)  # linked through their reminders
    assert deliveries.exists() and all(str(d.pk) in exported for d in deliveries)
    assert checked >= 12
    # Linked through their episodes (issue 18), each found among the rows of its own kind.
    for kind, model, link in (("level_change", LevelChange, "episode__participant"),
                              ("plan_review", PlanReview, "episode__participant"),
                              ("goal_review", GoalReview, "review__episode__participant"),
                              ("aftercare_plan", AftercarePlan, "episode__participant"),
                              ("checkup", Checkup, "participant"), ("checkup_answer", CheckupAnswer, "participant"),
                              ("episode", alice.episodes.model, "participant")):
        rows = model.objects.filter(**{link: alice})
        assert rows.exists(), kind
        assert {str(row.pk) for row in rows} == {str(row["id"]) for row in data["records"][kind]}, kind
    assert LevelChange.objects.filter(episode__participant=alice).count() == 2
    ended = next(row for row in data["records"]["episode"] if row["discharged_on"])
    # Their own record, all of it (45 CFR 164.524): the discharge in plain words, its type and the team's note.
    assert ended["discharge_type"] == "stepped_down" and "Stepped down" in ended["in_plain_words"]
    assert ended["discharge_note"] == "CARE-TEAM-DISCHARGE-NOTE"
    assert {"checkin", "urge", "reflection", "weekend_plan", "safety_plan_version", "goal", "task", "reminder",
            "delivery", "push_subscription", "flag_acknowledgement", "notice_acknowledgement",
            "access_log", "deleted_entry"} <= set(data["records"])
    assert "GONE-MARKER" not in json.dumps(data)   # a deleted entry's content is gone: its id stays
    assert Tombstone.objects.filter(participant=alice).exists()
    assert [row["who"] for row in data["records"]["access_log"]] == ["carol"]
    assert "only mine" in json.dumps(data)        # their own private note is theirs to take
    csv_text = b"".join(alice_client.get("/settings/my-data.csv").streaming_content).decode()
    assert "only mine" in csv_text and "access_log" in csv_text
    assert alice_client.get("/settings/my-data.xml").status_code == 404


def clinical_record_of(alice, carol):
    """What the care team recorded about alice: a group's roll, a plan review of her goal, an
    aftercare plan and a check-up, on top of her episode and its first level."""
    episode = alice.open_episode
    goal = Goal.objects.filter(participant=alice).first()
    review = PlanReview.objects.create(episode=episode, reviewed_on=NOW.date(), note="steady", counselor=carol)
    GoalReview.objects.create(review=review, goal=goal, goal_title=goal.title, progress="progressing")
    group = Group.objects.create(program=alice.program, name="Evening", weekdays=[0], start_time=dt.time(18),
                                 active_from=NOW.date() - dt.timedelta(days=30))
    session = GroupSession.objects.create(group=group, starts_at=NOW - dt.timedelta(days=2),
                                          ends_at=NOW - dt.timedelta(days=2) + dt.timedelta(hours=3), status="held")
    GroupMembership.objects.create(group=group, participant=alice, joined_on=NOW.date() - dt.timedelta(days=10))
    Attendance.objects.create(session=session, participant=alice, status="present", recorded_at=NOW)
    AftercarePlan.objects.create(episode=episode, next_provider="Harbor Clinic", checkups=True)
    Checkup.objects.create(participant=alice, episode=episode, due_on=NOW.date(), opens_at=NOW,
                           closes_at=NOW + dt.timedelta(days=3))
    return episode


def rows_of(person):
    """How many rows each table holds of `person`: the linked tables and those under their episodes."""
    counts = {}
    for model, field in accounts.tables_linked_to_participants():
        owner = person.pk if model._meta.get_field(field).related_model is Participant else person.user_id
        counts[f"{model._meta.label}.{field}"] = model.objects.filter(**{f"{field}_id": owner}).count()
    episodes_of = Episode.objects.filter(participant_id=person.pk)
    counts["tracker.LevelChange.episode"] = LevelChange.objects.filter(episode__in=episodes_of).count()
    counts["tracker.PlanReview.episode"] = PlanReview.objects.filter(episode__in=episodes_of).count()
    counts["tracker.GoalReview.review"] = GoalReview.objects.filter(review__episode__in=episodes_of).count()
    counts["tracker.AftercarePlan.episode"] = AftercarePlan.objects.filter(episode__in=episodes_of).count()
    counts["tracker.Delivery.reminder"] = Delivery.objects.filter(reminder__participant_id=person.pk).count()
    return counts


@pytest.fixture
def bob_with_entries(bob):
    services.checkin_put(participant=bob, id=uuid.uuid4(), data={"date": bob.local_today(), "stress": 3})
    reminders.reminders_sync(participant=bob)
    return bob


def test_closing_stops_sign_in_at_once_and_the_purge_keeps_only_the_clinical_record(alice_with_entries, carol,
                                                                                      carol_client, bob_with_entries,
                                                                                      now):
    alice = alice_with_entries
    everything_about(alice)
    clinical_record_of(alice, carol)
    carol_client.get(f"/care/participants/{alice.pk}/")
    phone, laptop = Client(), Client()
    phone.post("/signin/", {"username": "alice", "password": "alice-password-1"})
    laptop.post("/signin/", {"username": "alice", "password": "alice-password-1"})
    page = phone.post("/settings/close/", {"password": "wrong one"}).content.decode()
    assert "That is not your password." in page and User.objects.get(pk=alice.user.pk).is_active
    response = phone.post("/settings/close/", {"password": "alice-password-1"})
    assert "Your account is closed" in response.content.decode() and response["Clear-Site-Data"]
    assert laptop.get("/").status_code == 302                      # the other device is signed out too
    assert Client().post("/signin/", {"username": "alice", "password": "alice-password-1"}).status_code == 200
    assert not PushSubscription.objects.filter(user=alice.user).exists()
    assert not Reminder.objects.filter(participant=alice, enabled=True).exists()

    invitation, _ = accounts.invitation_create(program=alice.program, role="participant", name="Alice A.",
                                               email="alice@home.test", created_by=None)
    Invitation.objects.filter(pk=invitation.pk).update(used_by=alice.user, used_at=NOW)
    audit_rows = AuditEvent.objects.count()
    bobs = rows_of(bob_with_entries)
    before = rows_of(alice)
    assert accounts.purge_closed_accounts() == 0                    # not before the retention period
    now.move_to(NOW + dt.timedelta(days=30))
    assert accounts.purge_closed_accounts() == 1
    assert accounts.purge_closed_accounts() == 0                    # once
    after = rows_of(alice)
    record = set(accounts.CLINICAL_RECORD) | {"tracker.Participant"}
    for key, count in after.items():
        if key.rsplit(".", 1)[0] in record:
            assert count == before[key], key                        # the clinic's record, whole
        else:
            assert count == 0, key                                  # everything of her own, gone
    for key in ("tracker.Episode.participant", "tracker.LevelChange.episode", "tracker.PlanReview.episode",
                "tracker.GoalReview.review", "tracker.AftercarePlan.episode", "tracker.Checkup.participant",
                "tracker.Attendance.participant", "tracker.GroupMembership.participant", "tracker.Participant.user"):
        assert after[key] == before[key] > 0, key                   # what the issue names as the record
    assert sum(count for key, count in before.items() if key.rsplit(".", 1)[0] not in record) >= 15
    assert GoalReview.objects.get(review__episode__participant=alice).goal is None   # her goal went; its title stays
    assert GoalReview.objects.get(review__episode__participant=alice).goal_title == "A new morning routine"
    assert not Invitation.objects.filter(email="alice@home.test").exists()  # no name or email left behind
    assert not User.objects.filter(username="alice").exists()
    user = User.objects.get(pk=alice.user.pk)                       # reduced to what the record needs
    assert user.username.startswith(accounts.PURGED_USERNAME_PREFIX) and user.email == ""
    assert not user.has_usable_password() and not user.is_active
    assert Participant.objects.get(pk=alice.pk).closed_at is not None
    assert rows_of(bob_with_entries) == bobs                        # another person untouched
    assert AuditEvent.objects.count() == audit_rows and AuditEvent.objects.filter(participant_id=alice.pk).exists()
    assert audit.events_about(alice).count() >= 1


def test_the_clinical_record_goes_after_the_programs_years_from_the_later_of_closing_and_discharge(
        alice_with_entries, carol, carol_client, bob_with_entries, now):
    alice, bob = alice_with_entries, bob_with_entries
    everything_about(alice)
    clinical_record_of(alice, carol)
    carol_client.get(f"/care/participants/{alice.pk}/")
    Program.objects.filter(pk=alice.program_id).update(record_retention_years=2)
    accounts.close_account(participant=alice)                       # closed 18 Nov 2026, still in care
    accounts.close_account(participant=bob)                         # closed, episode never ended
    now.move_to(NOW + dt.timedelta(days=40))
    episode = episodes.discharge(episode=alice.open_episode, discharged_on=alice.local_today(),
                                 discharge_type="completed")       # discharged 28 Dec 2026: the later day
    audit_rows = AuditEvent.objects.count()
    bobs = rows_of(bob)
    assert accounts.purge_clinical_records() == 0                    # her own entries go, the record stays
    assert Episode.objects.filter(pk=episode.pk).exists() and rows_of(alice)["tracker.CheckIn.participant"] == 0
    now.move_to(dt.datetime(2028, 12, 27, 17, tzinfo=dt.UTC))
    assert accounts.purge_clinical_records() == 0                    # a day before two years from discharge
    now.move_to(dt.datetime(2028, 12, 28, 17, tzinfo=dt.UTC))
    assert accounts.purge_clinical_records() == 1
    assert not any(rows_of(alice).values()), rows_of(alice)          # nothing left of her
    assert not Participant.objects.filter(pk=alice.pk).exists() and not User.objects.filter(pk=alice.user_id).exists()
    assert not Episode.objects.filter(pk=episode.pk).exists()
    assert Group.objects.filter(name="Evening").exists()             # the group itself is the program's
    after = rows_of(bob)                                             # bob's open episode never purges
    assert after["tracker.Episode.participant"] == bobs["tracker.Episode.participant"] == 1
    assert after["tracker.CheckIn.participant"] == 0
    assert Participant.objects.filter(pk=bob.pk).exists()
    assert AuditEvent.objects.count() == audit_rows and AuditEvent.objects.filter(participant_id=alice.pk).exists()
    assert accounts.purge_clinical_records() == 0


def test_program_admins_set_how_long_the_record_is_kept(program, now):
    admin = Counselor.objects.create(user=make_user("ada"), program=program, is_program_admin=True)
    client = verified_login(Client(), admin.user)
    page = client.get("/care/settings/program/").content.decode()
    assert 'name="record_retention_years"' in page and "State law decides" in page
    base = {"time_zone": "America/New_York", "office_weekdays": ["0"], "office_opens": "09:00",
            "office_closes": "17:00", "hours_iop": "9"}
    response = client.post("/care/settings/program/", {**base, "record_retention_years": "0"})
    assert response.status_code == 200 and "record_retention_years" in response.context["form"].errors
    assert "Give a number of years from 1 to 100." in response.content.decode()
    assert 'value="0"' in response.content.decode()
    program.refresh_from_db()
    assert program.record_retention_years == 7
    assert client.post("/care/settings/program/", {**base, "record_retention_years": "10"}).status_code == 302
    program.refresh_from_db()
    assert program.record_retention_years == 10


def test_the_beat_purges_clinical_records_daily(db):
    from django.conf import settings

    from tracker import tasks
    entry = {e["task"]: e for e in settings.CELERY_BEAT_SCHEDULE.values()}["tracker.tasks.purge_clinical_records"]
    assert entry["schedule"] == 24 * 3600.0
    tasks.purge_clinical_records()  # the task runs (nothing to purge here)
