"""The participant's side of group (issue 16): Today's next session and hours, "Can't make it" and
"I missed it" with their next steps, the roll's pre-mark, the API, and who sees the reasons."""

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from people import NOW, make_user
from signin import verified_login
from tracker import schedule, services, triage
from tracker.absence import NOTICE_GIVEN
from tracker.models import (
    Episode,
    AbsenceNotice,
    Attendance,
    Counselor,
    Group,
    GroupMembership,
    GroupSession,
)

UTC = dt.UTC
# NOW is Wednesday 18 November 2026, 12:00 in New York (the program's zone).
MONDAY = dt.date(2026, 11, 16)


def at(day, hour, minute=0):
    """A New York wall-clock time as UTC (EST, -5 h, all November)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC) + dt.timedelta(hours=5)


@pytest.fixture
def evening(program, alice):
    program.phone = "(555) 010-2000"
    program.save()
    group = Group.objects.create(program=program, name="Evening group", kind=Group.Kind.PROCESS, weekdays=[0, 2, 3],
                                 start_time=dt.time(18), length_min=180, place="Room 2",
                                 active_from=dt.date(2026, 9, 1))
    GroupMembership.objects.create(group=group, participant=alice, joined_on=dt.date(2026, 10, 1))
    schedule.plan_sessions(program, dt.datetime(2026, 10, 1, 12, tzinfo=UTC), weeks=10)
    return group


def session_on(group, day):
    return GroupSession.objects.get(group=group, planned_for=day)


def mark(session, participant, status, minutes=None):
    return Attendance.objects.create(session=session, participant=participant, status=status, minutes=minutes,
                                     recorded_at=session.ends_at)


def group_card(html):
    return re.sub(r"\s+", " ", html.split('id="group-heading"')[1].split("</section>")[0])


# ---- Today ------------------------------------------------------------------------------------

def test_today_shows_the_next_session_in_the_persons_zone_and_this_weeks_hours(evening, alice, bob, client, now):
    mark(session_on(evening, MONDAY), alice, Attendance.Status.PRESENT)          # 3 h this week
    mark(session_on(evening, dt.date(2026, 11, 12)), alice, Attendance.Status.PRESENT)  # last week: not counted
    client.force_login(alice.user)
    card = group_card(client.get("/").content.decode())
    assert "Group tonight 18:00-21:00</strong>, Room 2" in card
    assert "3 of 9 hours this week" in card
    assert "Can’t make it" in card

    # Bob lives in Los Angeles and joined on Thursday: his next session is Thursday's, at his 15:00.
    GroupMembership.objects.create(group=evening, participant=bob, joined_on=dt.date(2026, 11, 19))
    Episode.objects.filter(participant=bob).update(level_of_care="op")  # the program sets no target for it: just the hours
    client.force_login(bob.user)
    card = group_card(client.get("/").content.decode())
    assert "Group tomorrow 15:00-18:00" in card
    assert "0 hours this week" in card and " of " not in card.split("hours this week")[0][-12:]


def test_hours_against_worked_examples(evening, alice, client):
    # Monday present (180), Wednesday late (150 typed), Thursday left early (no minutes: the whole 180),
    # a cancelled session marked present counts nothing, an absence nothing.
    mark(session_on(evening, MONDAY), alice, Attendance.Status.PRESENT)
    mark(session_on(evening, dt.date(2026, 11, 18)), alice, Attendance.Status.LATE, minutes=150)
    mark(session_on(evening, dt.date(2026, 11, 19)), alice, Attendance.Status.LEFT_EARLY)
    next_monday = session_on(evening, dt.date(2026, 11, 23))
    mark(next_monday, alice, Attendance.Status.ABSENT)
    client.force_login(alice.user)
    with time_machine.travel(at(dt.date(2026, 11, 20), 12), tick=False):
        card = group_card(client.get("/").content.decode())
    assert "8.5 of 9 hours this week" in card
    assert "Group Monday 18:00-21:00" in card
    # Sunday 23:30 still counts this week; Monday 00:30 starts a new one.
    with time_machine.travel(at(dt.date(2026, 11, 22), 23, 30), tick=False):
        assert "8.5 of 9 hours" in group_card(client.get("/").content.decode())
    with time_machine.travel(at(dt.date(2026, 11, 23), 0, 30), tick=False):
        assert "0 of 9 hours" in group_card(client.get("/").content.decode())


def test_today_offers_i_missed_it_for_a_session_the_person_was_marked_absent_at(evening, alice, bob, client, now):
    # The offer is about this person: marked absent while others came, they are still asked; marked
    # there (present, late, left early), or with a notice given, they are not.
    GroupMembership.objects.create(group=evening, participant=bob, joined_on=dt.date(2026, 10, 1))
    monday = session_on(evening, MONDAY)
    mark(monday, alice, Attendance.Status.ABSENT)
    mark(monday, bob, Attendance.Status.PRESENT)
    client.force_login(alice.user)
    assert f"/group/{monday.pk}/missed/" in group_card(client.get("/").content.decode())
    client.force_login(bob.user)
    assert "/missed/" not in group_card(client.get("/").content.decode())
    for status in schedule.ATTENDED:
        Attendance.objects.filter(session=monday, participant=alice).update(status=status)
        client.force_login(alice.user)
        assert "/missed/" not in group_card(client.get("/").content.decode()), status
    Attendance.objects.filter(session=monday, participant=alice).update(status=Attendance.Status.ABSENT)
    AbsenceNotice.objects.create(participant=alice, session=monday, reason="work")
    assert "/missed/" not in group_card(client.get("/").content.decode())


def test_todays_query_count_does_not_grow_with_history(evening, alice, client, now):
    client.force_login(alice.user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    few = count()
    for session in GroupSession.objects.filter(group=evening, starts_at__lt=NOW):
        mark(session, alice, Attendance.Status.PRESENT)
    assert Attendance.objects.filter(participant=alice).count() >= 20
    assert count() == few


# ---- Can't make it / I missed it ----------------------------------------------------------------

def put_notice(api, session, reason="work", words="", entry_id=None):
    entry_id = entry_id or uuid.uuid4()
    return entry_id, api.put(f"/api/v1/notices/{entry_id}/", {"session": session.pk, "reason": reason, "words": words},
                             format="json")


def test_cant_make_it_ahead_is_idempotent_pre_marks_the_roll_and_a_second_is_409(evening, alice, api, client, now):
    tonight = session_on(evening, dt.date(2026, 11, 18))
    entry_id, first = put_notice(api, tonight, "childcare", "Sitter cancelled")
    assert first.status_code == 201 and first.json()["ahead"] is True
    _, again = put_notice(api, tonight, "childcare", "Sitter cancelled", entry_id=entry_id)
    assert again.status_code == 201 and again.json() == first.json()
    assert AbsenceNotice.objects.count() == 1
    roll = Attendance.objects.get(session=tonight, participant=alice)
    assert (roll.status, roll.reason) == (Attendance.Status.EXCUSED, NOTICE_GIVEN)

    other_id, second = put_notice(api, tonight, "ride")
    assert second.status_code == 409 and second.json()["existing_id"] == str(entry_id)
    assert api.get(f"/api/v1/notices/{entry_id}/").json()["reason"] == "childcare"
    # The page lands on the one given: "You already told us".
    client.force_login(alice.user)
    response = client.get(f"/group/{tonight.pk}/cant-make-it/", follow=True)
    assert "You already told us" in response.content.decode() and "Childcare" in response.content.decode()


def test_pre_mark_only_when_unmarked(evening, alice, api, now):
    thursday, monday = session_on(evening, dt.date(2026, 11, 19)), session_on(evening, dt.date(2026, 11, 23))
    Attendance.objects.create(session=thursday, participant=alice, status=Attendance.Status.PRESENT,
                              recorded_at=NOW)  # a facilitator's mark stays
    Attendance.objects.create(session=monday, participant=alice, recorded_at=NOW)  # unmarked: becomes excused
    put_notice(api, thursday)
    put_notice(api, monday)
    assert Attendance.objects.get(session=thursday).status == Attendance.Status.PRESENT
    assert (Attendance.objects.get(session=monday).status, Attendance.objects.get(session=monday).reason) == (
        Attendance.Status.EXCUSED, NOTICE_GIVEN)


def test_cant_make_it_is_refused_for_a_past_session_and_i_missed_it_only_after(evening, alice, api, client, now):
    client.force_login(alice.user)
    monday, tonight = session_on(evening, MONDAY), session_on(evening, dt.date(2026, 11, 18))
    page = client.post(f"/group/{monday.pk}/cant-make-it/", {"id": str(uuid.uuid4()), "reason": "work"})
    assert "already started" in page.content.decode() and not AbsenceNotice.objects.exists()
    page = client.post(f"/group/{tonight.pk}/missed/", {"id": str(uuid.uuid4()), "reason": "work"})
    assert "not started yet" in page.content.decode() and not AbsenceNotice.objects.exists()
    # Today offers "I missed it" for Monday (not marked), and the page takes it, as "missed".
    assert f"/group/{monday.pk}/missed/" in client.get("/").content.decode()
    response = client.post(f"/group/{monday.pk}/missed/", {"id": str(uuid.uuid4()), "reason": "forgot"})
    assert response.status_code == 302
    notice = AbsenceNotice.objects.get()
    assert notice.ahead is False and not Attendance.objects.filter(session=monday).exists()  # no pre-mark after
    # Too old, or marked there: refused with words, nothing saved.
    long_ago = session_on(evening, dt.date(2026, 11, 9))
    _, old = put_notice(api, long_ago)
    assert old.status_code == 400 and "more than a week" in old.json()["session"][0]
    last_thursday = session_on(evening, dt.date(2026, 11, 12))
    mark(last_thursday, alice, Attendance.Status.PRESENT)
    _, there = put_notice(api, last_thursday)
    assert there.status_code == 400 and "marked as there" in there.json()["session"][0]
    assert AbsenceNotice.objects.count() == 1


def test_the_notice_pages_are_only_for_sessions_of_ones_own_group_on_days_one_belonged(evening, alice, bob, program,
                                                                                      client, now):
    morning = Group.objects.create(program=program, name="Morning group", kind=Group.Kind.PROCESS, weekdays=[3],
                                   start_time=dt.time(9), length_min=180, active_from=dt.date(2026, 9, 1))
    GroupMembership.objects.create(group=morning, participant=bob, joined_on=dt.date(2026, 10, 1))
    schedule.plan_sessions(program, dt.datetime(2026, 10, 1, 12, tzinfo=UTC), weeks=10)
    # alice was in the evening group from Sunday 1 November to Monday 16 November.
    GroupMembership.objects.filter(participant=alice).update(joined_on=dt.date(2026, 11, 1), left_on=MONDAY)
    client.force_login(alice.user)
    others = session_on(morning, dt.date(2026, 11, 19))
    before, last_day, after = (session_on(evening, dt.date(2026, 10, 28)), session_on(evening, MONDAY),
                               session_on(evening, dt.date(2026, 11, 18)))
    for session, status in ((others, 404), (before, 404), (after, 404), (last_day, 200)):
        for page in ("cant-make-it", "missed"):
            assert client.get(f"/group/{session.pk}/{page}/").status_code == status, (session.planned_for, page)
    assert not AbsenceNotice.objects.exists()


@pytest.mark.parametrize("reason, expected", [
    ("ride", ["Sam from church, 555-0199"]),
    ("work", ["Relapse prevention also meets tomorrow 09:00-12:00"]),
    ("childcare", ["Relapse prevention also meets tomorrow 09:00-12:00"]),
    ("sick", ["Rest and get well", "Your next group: Evening group, Monday 18:00-21:00"]),
    ("used", ["Come as you are, any evening.", 'href="/safety-plan/"']),
    ("forgot", ["Relapse prevention also meets tomorrow 09:00-12:00"]),
    ("other", ["Relapse prevention also meets tomorrow 09:00-12:00"]),
])
def test_every_reason_gives_its_next_step(evening, alice, program, client, now, reason, expected):
    program.still_welcome_text = "Come as you are, any evening."
    program.save()
    evening.kind = Group.Kind.RELAPSE_PREVENTION
    evening.save()
    morning = Group.objects.create(program=program, name="Relapse prevention", kind=Group.Kind.RELAPSE_PREVENTION,
                                   weekdays=[3], start_time=dt.time(9), length_min=180, active_from=dt.date(2026, 9, 1))
    schedule.plan_sessions(program, NOW, weeks=1)
    assert morning.sessions.exists()
    services.weekend_plan_put(participant=alice, id=uuid.uuid4(), data={
        "weekend_of": dt.date(2026, 11, 13), "safe_ride": "Sam from church, 555-0199"})
    client.force_login(alice.user)
    thursday = session_on(evening, dt.date(2026, 11, 19))
    response = client.post(f"/group/{thursday.pk}/cant-make-it/", {"id": str(uuid.uuid4()), "reason": reason},
                           follow=True)
    html = response.content.decode()
    for words in expected:
        assert words in html
    assert 'href="tel:5550102000"' in html and "Call the program" in html


def test_i_used_raises_the_use_reported_flag(evening, alice, api, now):
    # "Use reported" took over the older "setback" flag (issue 17): a notice is one of its sources.
    entry_id, _ = put_notice(api, session_on(evening, MONDAY), "used")
    flags = {flag.key: flag for flag in triage.caseload([alice])[0].flags}
    assert "use" in flags and flags["use"].severity == "urgent"
    assert flags["use"].evidence == f"notice:{entry_id}"
    assert "use" not in {flag.key for flag in triage.caseload([alice], now=NOW + dt.timedelta(days=30))[0].flags}


# ---- API and who sees what ------------------------------------------------------------------------

def listed(body):
    return body["results"] if isinstance(body, dict) else body  # paginated or not


def test_api_shows_only_own_groups_and_sessions(evening, alice, bob, api, program, now):
    other = Group.objects.create(program=program, name="Morning group", weekdays=[1], start_time=dt.time(9),
                                 active_from=dt.date(2026, 9, 1))
    GroupMembership.objects.create(group=other, participant=bob, joined_on=dt.date(2026, 10, 1))
    schedule.plan_sessions(program, NOW, weeks=1)
    tonight = session_on(evening, dt.date(2026, 11, 18))
    mark(session_on(evening, MONDAY), alice, Attendance.Status.LATE, minutes=120)
    put_notice(api, tonight, "ride")
    groups = listed(api.get("/api/v1/groups/").json())
    assert [(g["name"], g["joined_on"], g["time_zone"]) for g in groups] == [
        ("Evening group", "2026-10-01", "America/New_York")]
    sessions = listed(api.get("/api/v1/sessions/").json())
    assert {s["group_name"] for s in sessions} == {"Evening group"}
    by_id = {s["id"]: s for s in sessions}
    assert by_id[session_on(evening, MONDAY).pk]["attendance"] == "late"
    assert by_id[tonight.pk]["notice"]["reason"] == "ride"
    assert by_id[tonight.pk]["attendance"] == "excused"
    # Someone else's session reads as not found.
    _, response = put_notice(api, other.sessions.first())
    assert response.status_code == 400 and "session" in response.json()


def test_a_facilitator_not_on_the_care_team_never_sees_reasons(evening, alice, api, program, carol_client, now):
    fran = Counselor.objects.create(user=make_user("fran"), program=program)
    evening.facilitators.add(fran)
    entry_id, _ = put_notice(api, session_on(evening, dt.date(2026, 11, 18)), "used", "Relapsed Saturday")
    fran_client = verified_login(APIClient(), fran.user)
    for url in (f"/api/v1/notices/{entry_id}/", "/api/v1/sessions/", "/api/v1/groups/",
                f"/group/notices/{entry_id}/", f"/care/participants/{alice.pk}/"):
        response = fran_client.get(url)
        assert response.status_code in (403, 404), url
        assert "Relapsed" not in response.content.decode()
    # Her care team sees it on the trends page.
    page = carol_client.get(f"/care/participants/{alice.pk}/").content.decode()
    assert "Notices" in page and "I used" in page and "Relapsed Saturday" in page


def test_exports_include_notices_and_attendance(evening, alice, api, carol_client, client, now):
    mark(session_on(evening, MONDAY), alice, Attendance.Status.PRESENT)
    put_notice(api, session_on(evening, dt.date(2026, 11, 18)), "work", "Double shift")
    care = carol_client.get(f"/care/participants/{alice.pk}/export.json").json()["records"]
    assert [(n["reason"], n["words"]) for n in care["absence_notice"]] == [("work", "Double shift")]
    assert sorted(a["status"] for a in care["attendance"]) == ["excused", "present"]
    client.force_login(alice.user)
    own = client.get("/settings/my-data.json").json()["records"]
    assert own["absence_notice"][0]["reason"] == "work" and len(own["attendance"]) == 2


def test_bad_input_is_refused_with_words_and_kept(evening, alice, api, client, now):
    tonight = session_on(evening, dt.date(2026, 11, 18))
    client.force_login(alice.user)
    long_words = "x" * 301
    page = client.post(f"/group/{tonight.pk}/cant-make-it/", {"id": str(uuid.uuid4()), "reason": "other",
                                                               "words": long_words})
    html = page.content.decode()
    assert page.status_code == 400 and "Nothing was saved yet" in html and f'value="{long_words}"' in html
    _, response = put_notice(api, tonight, reason="bored")
    assert response.status_code == 400 and "reason" in response.json()
    assert not AbsenceNotice.objects.exists()
