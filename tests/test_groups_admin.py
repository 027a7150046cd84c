"""The program's settings and groups in /care/ (issue 16, item 1): admins write, facilitators
read, everyone else gets a 404 and a denied audit row; sessions moved, cancelled and added one by
one keep their attendance; closure days cancel; a schedule change replans only untouched future
sessions; the beat plans eight weeks ahead.

NOW (tests/people.py) is Wed 18 Nov 2026, 12:00 in New York, the program's zone.
"""

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from people import NOW, make_user
from signin import verified_login
from tracker import schedule, tasks
from tracker.models import (
    AbsenceNotice,
    Attendance,
    AuditEvent,
    ClosureDay,
    Counselor,
    Group,
    GroupMembership,
    GroupSession,
    Participant,
    Program,
)

NY = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC


def signed_in(user):
    return verified_login(Client(), user.user if hasattr(user, "user") else user)


def last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def rows_since(before):
    return [(row.action, row.resource) for row in AuditEvent.objects.filter(pk__gt=before).order_by("pk")]


def local(session):
    start = session.starts_at.astimezone(NY)
    return start.date(), start.time()


@pytest.fixture
def admin(carol):
    carol.is_program_admin = True
    carol.save()
    return carol


@pytest.fixture
def erin(program):
    """A counselor of the same program, not an admin."""
    return Counselor.objects.create(user=make_user("erin", first_name="Erin"), program=program)


@pytest.fixture
def evening(now, program, admin, erin, alice, bob):
    """Mon/Wed/Thu 18:00-21:00 from 1 Nov, erin facilitates; alice and bob are members."""
    group = Group.objects.create(program=program, name="Evening group", weekdays=[0, 2, 3], start_time=dt.time(18),
                                 length_min=180, place="Room 2", active_from=dt.date(2026, 11, 1))
    group.facilitators.add(erin)
    for person in (alice, bob):
        GroupMembership.objects.create(group=group, participant=person, joined_on=dt.date(2026, 11, 1))
    schedule.plan_sessions(program, NOW)
    return group


def group_post(**changes):
    data = {"name": "Morning group", "kind": "relapse_prevention", "weekdays": ["1", "3", "4"], "start_time": "09:00",
            "length_min": "180", "place": "Room 1", "video_url": "", "active_from": "2026-11-18", "active_to": ""}
    data.update(changes)
    return data


# ---------------------------------------------------------------------------------------------
# Program settings


def test_an_admin_sets_the_program_schedule_settings_and_the_change_is_audited(now, admin, program):
    client = signed_in(admin)
    page = client.get("/care/settings/program/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'list="time-zones"' in html and "Intensive outpatient: group hours per week" in html
    assert "does not bring those sessions back" in html
    before = last_pk()
    response = client.post("/care/settings/program/", {
        "time_zone": "Chicago", "phone": "(555) 010-2000", "office_weekdays": ["0", "1", "2", "3"],
        "office_opens": "08:30", "office_closes": "18:00", "hours_iop": "9", "hours_php": "20", "hours_op": "4.5",
        "hours_aftercare": "", "harm_reduction_on": "on", "harm_reduction_text": "",
        "still_welcome_text": "Come back Monday: your seat is there."})
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.time_zone == "America/Chicago"  # a city typed, not picked: the one zone that has it
    assert (program.phone, program.office_weekdays, program.office_opens, program.office_closes) == (
        "(555) 010-2000", [0, 1, 2, 3], dt.time(8, 30), dt.time(18))
    assert program.group_hours_targets == {"iop": 9, "php": 20, "op": 4.5}
    assert program.group_hours_target("iop") == 9 and program.group_hours_target("aftercare") is None
    assert program.still_welcome_text == "Come back Monday: your seat is there."
    assert rows_since(before) == [("write", "program-settings")]


def test_bad_program_settings_are_refused_beside_their_fields_and_kept(now, admin, program):
    client = signed_in(admin)
    before = last_pk()
    response = client.post("/care/settings/program/", {
        "time_zone": "Atlantis", "phone": "call me", "office_weekdays": ["0"], "office_opens": "17:00",
        "office_closes": "09:00", "hours_iop": "9.3", "harm_reduction_on": "on"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"time_zone", "phone", "office_closes", "hours_iop"}
    html = response.content.decode()
    assert 'value="call me"' in html and 'value="9.3"' in html and 'aria-invalid="true"' in html
    program.refresh_from_db()
    assert program.phone == "" and program.group_hours_targets == {"iop": 9}
    assert rows_since(before) == []


# ---------------------------------------------------------------------------------------------
# Access: admins write, facilitators read, everyone else 404 with a denied row


def test_who_may_see_and_change_groups(evening, admin, erin, alice, program):
    frank = Counselor.objects.create(user=make_user("frank"), program=Program.objects.create(name="Elsewhere"))
    session = evening.sessions.first()
    membership = evening.memberships.first()
    reads = [f"/care/groups/{evening.pk}/"]
    admin_pages = [f"/care/groups/{evening.pk}/edit/", "/care/groups/new/", f"/care/groups/sessions/{session.pk}/"]
    writes = [f"/care/groups/{evening.pk}/members/", f"/care/groups/{evening.pk}/sessions/",
              f"/care/groups/members/{membership.pk}/end/", "/care/settings/program/closures/"]

    for url in reads + admin_pages:
        before = last_pk()
        assert signed_in(admin).get(url).status_code == 200, url
    for url in reads:  # erin facilitates the group: she reads it, one row
        before = last_pk()
        assert signed_in(erin).get(url).status_code == 200
        assert rows_since(before) == [("read", "group")]
    for url in admin_pages:  # ... but changes nothing
        before = last_pk()
        assert signed_in(erin).get(url).status_code == 404, url
        assert [a for a, _ in rows_since(before)] == ["denied"]
    for url in writes:
        before = last_pk()
        assert signed_in(erin).post(url, {"left_on": "2026-11-20"}).status_code == 404, url
        assert [a for a, _ in rows_since(before)] == ["denied"]
    for user in (frank.user, alice.user):  # another program, a participant: nothing at all
        for url in reads + admin_pages:
            before = last_pk()
            assert signed_in(user).get(url).status_code == 404, url
            assert [a for a, _ in rows_since(before)] == ["denied"]
        for url in writes:
            before = last_pk()
            assert signed_in(user).post(url, {}).status_code == 404, url
            assert [a for a, _ in rows_since(before)] == ["denied"]
    # The list: an admin sees every group, a facilitator theirs, another counselor none.
    assert "Evening group" in signed_in(erin).get("/care/groups/").content.decode()
    evening.facilitators.clear()
    assert "Evening group" not in signed_in(erin).get("/care/groups/").content.decode()
    assert signed_in(erin).get(reads[0]).status_code == 404
    before = last_pk()
    assert signed_in(alice.user).get("/care/groups/").status_code == 404
    assert [a for a, _ in rows_since(before)] == ["denied"]
    assert Client().get("/care/groups/").status_code == 302


# ---------------------------------------------------------------------------------------------
# Groups and members


def test_an_admin_creates_a_group_and_its_sessions_are_planned_at_once(now, admin, erin, program):
    client = signed_in(admin)
    before = last_pk()
    response = client.post("/care/groups/new/", {**group_post(), "facilitators": [str(erin.pk)]})
    assert response.status_code == 302
    group = Group.objects.get(name="Morning group")
    assert list(group.facilitators.all()) == [erin]
    assert rows_since(before) == [("write", "group")]
    days = [local(s) for s in group.sessions.all()]
    assert days[0] == (dt.date(2026, 11, 19), dt.time(9))  # Thu: today's 09:00 (Wed) is not a group day
    assert {d.weekday() for d, _ in days} == {1, 3, 4} and {t for _, t in days} == {dt.time(9)}
    assert days[-1][0] <= dt.date(2026, 11, 18) + dt.timedelta(weeks=8) and len(days) >= 23
    page = client.get(f"/care/groups/{group.pk}/").content.decode()
    assert "Thu 19 Nov" in page and "09:00–12:00" in page


def test_bad_group_input_is_refused_beside_its_field_and_kept(now, admin):
    client = signed_in(admin)
    response = client.post("/care/groups/new/", group_post(weekdays=[], active_from="2026-12-01", active_to="2026-11-01",
                                                           name="Typed name"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Pick at least one day." in errors["weekdays"] and "before the start date" in errors["active_to"][0]
    assert 'value="Typed name"' in response.content.decode()
    assert not Group.objects.exists() and not GroupSession.objects.exists()


def test_a_member_who_left_is_not_on_later_rolls(evening, admin, alice):
    client = signed_in(admin)
    membership = GroupMembership.objects.get(group=evening, participant=alice)
    response = client.post(f"/care/groups/members/{membership.pk}/end/", {"left_on": "2026-11-23"})
    assert response.status_code == 302
    assert alice not in [m.participant for m in schedule.members_on(evening, dt.date(2026, 11, 25))]
    assert alice in [m.participant for m in schedule.members_on(evening, dt.date(2026, 11, 23))]
    # Back before the day they joined: refused, nothing changed.
    client.post(f"/care/groups/members/{membership.pk}/end/", {"left_on": "2026-10-01"})
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2026, 11, 23)
    # Added again later: a new membership, from its own day.
    response = client.post(f"/care/groups/{evening.pk}/members/", {"participant": alice.pk, "joined_on": "2026-12-01"})
    assert response.status_code == 302
    assert GroupMembership.objects.filter(group=evening, participant=alice).count() == 2


def test_only_participants_of_the_program_can_be_added(evening, admin):
    stranger = Participant.objects.create(user=make_user("zoe"), program=Program.objects.create(name="Elsewhere"))
    response = signed_in(admin).post(f"/care/groups/{evening.pk}/members/",
                                     {"participant": stranger.pk, "joined_on": "2026-11-18"})
    assert response.status_code == 400
    assert "participant" in response.context["member_form"].errors
    assert not GroupMembership.objects.filter(participant=stranger).exists()


# ---------------------------------------------------------------------------------------------
# Sessions one by one


def mark(session, participant, status=Attendance.Status.PRESENT):
    return Attendance.objects.create(session=session, participant=participant, status=status, recorded_at=NOW)


def test_moving_cancelling_and_restoring_a_session_keep_its_attendance(evening, admin, alice):
    client = signed_in(admin)
    session = evening.sessions.get(planned_for=dt.date(2026, 11, 23))
    mark(session, alice, Attendance.Status.EXCUSED)
    before = last_pk()
    response = client.post(f"/care/groups/sessions/{session.pk}/",
                           {"action": "move", "day": "2026-11-24", "start_time": "17:30", "length_min": "150"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert local(session) == (dt.date(2026, 11, 24), dt.time(17, 30)) and session.length_min == 150
    assert session.planned_for == dt.date(2026, 11, 23)  # planning never makes a second one that day
    client.post(f"/care/groups/sessions/{session.pk}/", {"action": "topic", "topic": "Triggers at work", "place": ""})
    client.post(f"/care/groups/sessions/{session.pk}/", {"action": "cancel", "cancel_reason": "Facilitator ill"})
    session.refresh_from_db()
    assert (session.status, session.cancel_reason, session.topic) == ("cancelled", "Facilitator ill", "Triggers at work")
    client.post(f"/care/groups/sessions/{session.pk}/", {"action": "restore"})
    session.refresh_from_db()
    assert session.status == "scheduled"
    assert session.attendance.get().status == Attendance.Status.EXCUSED
    assert rows_since(before) == [("write", "group-session")] * 4
    schedule.plan_sessions(evening.program, NOW)
    assert evening.sessions.filter(planned_for=dt.date(2026, 11, 23)).count() == 1


def test_a_move_into_the_past_is_refused_and_the_typed_time_kept(evening, admin):
    session = evening.sessions.get(planned_for=dt.date(2026, 11, 23))
    response = signed_in(admin).post(f"/care/groups/sessions/{session.pk}/",
                                     {"action": "move", "day": "2026-11-18", "start_time": "11:00", "length_min": "180"})
    assert response.status_code == 400
    assert "has not passed yet" in " ".join(response.context["move_form"].errors["day"])
    assert 'value="11:00"' in response.content.decode()
    session.refresh_from_db()
    assert local(session) == (dt.date(2026, 11, 23), dt.time(18))


def test_an_extra_session(evening, admin):
    client = signed_in(admin)
    response = client.post(f"/care/groups/{evening.pk}/sessions/",
                           {"day": "2026-11-21", "start_time": "10:00", "length_min": "90", "topic": "Family day"})
    assert response.status_code == 302
    extra = evening.sessions.get(planned_for__isnull=True)
    assert local(extra) == (dt.date(2026, 11, 21), dt.time(10)) and extra.length_min == 90 and extra.topic == "Family day"
    refused = client.post(f"/care/groups/{evening.pk}/sessions/",
                          {"day": "2026-11-01", "start_time": "10:00", "length_min": "90", "topic": "Too late"})
    assert refused.status_code == 400 and 'value="Too late"' in refused.content.decode()


# ---------------------------------------------------------------------------------------------
# Closure days


def test_a_closure_day_cancels_that_days_sessions_and_removing_it_does_not_restore_them(evening, admin, alice):
    client = signed_in(admin)
    thanksgiving = dt.date(2026, 11, 26)
    session = evening.sessions.get(planned_for=thanksgiving)
    mark(session, alice)
    other = evening.sessions.get(planned_for=dt.date(2026, 11, 25))
    before = last_pk()
    response = client.post("/care/settings/program/closures/", {"date": "2026-11-26", "reason": "Thanksgiving"})
    assert response.status_code == 302
    session.refresh_from_db()
    other.refresh_from_db()
    assert (session.status, session.cancel_reason) == ("cancelled", "Thanksgiving")
    assert other.status == "scheduled" and session.attendance.count() == 1
    assert rows_since(before) == [("write", "closure-day")]
    assert "Thanksgiving" in client.get("/care/settings/program/").content.decode()
    again = client.post("/care/settings/program/closures/", {"date": "2026-11-26", "reason": "Twice"})
    assert again.status_code == 400 and "already a closure day" in again.content.decode()
    # The refused form comes back on the same settings page as a GET shows it: its time-zone list too.
    zones = re.compile(r'<datalist id="time-zones">(.*?)</datalist>', re.DOTALL)
    listed = zones.search(again.content.decode()).group(1)
    assert listed == zones.search(client.get("/care/settings/program/").content.decode()).group(1)
    assert '<option value="America/New_York">' in listed
    closure = ClosureDay.objects.get()
    client.post(f"/care/settings/program/closures/{closure.pk}/remove/")
    assert not ClosureDay.objects.exists()
    session.refresh_from_db()
    assert session.status == "cancelled"


def test_a_closure_day_further_ahead_is_planned_cancelled(evening, admin):
    signed_in(admin).post("/care/settings/program/closures/", {"date": "2027-01-18", "reason": "MLK Day"})
    with time_machine.travel(NOW + dt.timedelta(weeks=3), tick=False):
        schedule.plan_due(NOW + dt.timedelta(weeks=3))
    session = evening.sessions.get(planned_for=dt.date(2027, 1, 18))
    assert (session.status, session.cancel_reason) == ("cancelled", "MLK Day")


# ---------------------------------------------------------------------------------------------
# Replanning after a schedule change


def test_a_new_time_replans_only_untouched_future_sessions(evening, admin, alice):
    monday = dt.date(2026, 11, 16)  # past: planned back then, before today's plan
    yesterday = GroupSession.objects.create(group=evening, planned_for=monday,
                                            **dict(zip(("starts_at", "ends_at"), schedule.session_times(evening, monday, NY))))
    marked = evening.sessions.get(planned_for=dt.date(2026, 11, 30))
    mark(marked, alice, Attendance.Status.EXCUSED)
    moved = evening.sessions.get(planned_for=dt.date(2026, 12, 2))
    schedule.session_move(request=None, session=moved, day=dt.date(2026, 12, 2), start_time=dt.time(17),
                          length_min=180, now=NOW)
    cancelled = evening.sessions.get(planned_for=dt.date(2026, 12, 3))
    schedule.session_cancel(request=None, session=cancelled, reason="Room booked")
    response = signed_in(admin).post(f"/care/groups/{evening.pk}/edit/", group_post(
        name="Evening group", kind="process", weekdays=["0", "2", "3"], start_time="18:30", length_min="180",
        place="Room 2", active_from="2026-11-01", facilitators=[str(f.pk) for f in evening.facilitators.all()]))
    assert response.status_code == 302
    by_day = {s.planned_for: s for s in evening.sessions.all()}
    assert local(by_day[dt.date(2026, 11, 16)]) == (dt.date(2026, 11, 16), dt.time(18))  # past: as it was
    assert by_day[dt.date(2026, 11, 16)].pk == yesterday.pk
    assert local(by_day[dt.date(2026, 11, 30)])[1] == dt.time(18) and by_day[dt.date(2026, 11, 30)].pk == marked.pk
    assert Attendance.objects.filter(session=marked).count() == 1
    assert local(by_day[dt.date(2026, 12, 2)])[1] == dt.time(17)  # moved by hand: kept
    assert by_day[dt.date(2026, 12, 3)].status == "cancelled"
    assert local(by_day[dt.date(2026, 11, 23)])[1] == dt.time(18, 30)  # untouched: replanned
    assert local(by_day[dt.date(2026, 12, 7)])[1] == dt.time(18, 30)


def test_new_weekdays_drop_untouched_future_sessions_on_old_days(evening, admin, bob):
    thursday = evening.sessions.get(planned_for=dt.date(2026, 11, 19))
    mark(thursday, bob)
    old = (list(evening.weekdays), evening.start_time, evening.length_min, evening.active_from, evening.active_to)
    evening.weekdays = [0, 2]
    schedule.group_save(request=None, group=evening, facilitators=evening.facilitators.all(), now=NOW, old=old)
    days = {s.planned_for for s in evening.sessions.filter(starts_at__gt=NOW)}
    assert dt.date(2026, 11, 19) in days  # a Thursday with attendance stays
    assert dt.date(2026, 11, 26) not in days and {d.weekday() for d in days - {dt.date(2026, 11, 19)}} == {0, 2}


def test_replanning_reads_and_writes_in_the_same_queries_for_4_or_12_weeks_of_sessions(program, admin, alice, now):
    def replan(name, weeks):
        """A Mon/Wed/Thu group planned `weeks` ahead, with a marked, a noticed and a moved session,
        then moved from 18:00 to 18:30: (sessions replanned, queries, the three kept sessions)."""
        group = Group.objects.create(program=program, name=name, weekdays=[0, 2, 3], start_time=dt.time(18),
                                     length_min=180, active_from=dt.date(2026, 11, 1))
        GroupMembership.objects.create(group=group, participant=alice, joined_on=dt.date(2026, 11, 1))
        schedule.plan_sessions(program, NOW, weeks=weeks)
        marked, noticed, moved = (group.sessions.get(planned_for=day) for day in (
            dt.date(2026, 11, 23), dt.date(2026, 11, 25), dt.date(2026, 11, 26)))
        mark(marked, alice, Attendance.Status.EXCUSED)
        AbsenceNotice.objects.create(participant=alice, session=noticed, reason=AbsenceNotice.Reason.RIDE)
        schedule.session_move(request=None, session=moved, day=moved.planned_for, start_time=dt.time(17),
                              length_min=180, now=NOW)
        old = (list(group.weekdays), group.start_time, group.length_min, group.active_from, group.active_to)
        group.start_time = dt.time(18, 30)
        with CaptureQueriesContext(connection) as queries:
            replanned = schedule.group_save(request=None, group=group, facilitators=[admin], now=NOW, old=old)
        kept = [local(GroupSession.objects.get(pk=s.pk))[1] for s in (marked, noticed, moved)]
        return replanned, len(queries), kept

    # 4 weeks from Wed 18 Nov, noon: tonight to Wed 16 Dec, 13 future sessions, 3 of them touched.
    few, few_queries, few_kept = replan("Four weeks", 4)
    # 12 weeks: 13 + 8 x 3 = 37 future sessions, the same 3 touched (the second group's planning also plans the first
    # one further, which is not replanned: its schedule did not change).
    many, many_queries, many_kept = replan("Twelve weeks", 12)
    assert (few, many) == (13 - 3, 37 - 3)
    assert few_kept == many_kept == [dt.time(18), dt.time(18), dt.time(17)]
    assert many_queries == few_queries


# ---------------------------------------------------------------------------------------------
# The beat


def test_the_beat_keeps_eight_weeks_planned(evening, program):
    last = evening.sessions.order_by("-starts_at").first().planned_for
    assert last <= dt.date(2026, 11, 18) + dt.timedelta(weeks=8)
    assert schedule.plan_due(NOW) == 0  # nothing new: cheap and idempotent
    later = NOW + dt.timedelta(days=14)
    with time_machine.travel(later, tick=False):
        tasks.plan_group_sessions()
    newest = evening.sessions.order_by("-starts_at").first().planned_for
    assert newest > last and newest <= dt.date(2026, 12, 2) + dt.timedelta(weeks=8)
    assert evening.sessions.filter(planned_for__range=(last, newest)).exclude(planned_for=last).count() == 6


def test_the_admins_schedule_changes_reach_the_members_reminders(evening, admin, alice, bob):
    from tracker.models import Reminder

    client = signed_in(admin)
    session = evening.sessions.get(planned_for=dt.date(2026, 11, 23))
    reminder = Reminder.objects.get(kind=Reminder.Kind.SESSION, group_session=session, participant=alice)
    assert reminder.enabled and reminder.next_due_at == session.starts_at - dt.timedelta(hours=1)
    client.post(f"/care/groups/sessions/{session.pk}/",
                {"action": "move", "day": "2026-11-24", "start_time": "17:30", "length_min": "150"})
    session.refresh_from_db()
    reminder.refresh_from_db()
    assert reminder.next_due_at == session.starts_at - dt.timedelta(hours=1)  # the reminder moved with it
    notices = Reminder.objects.filter(kind=Reminder.Kind.SCHEDULE_CHANGE, group_session=session)
    assert {r.participant_id for r in notices} == {alice.pk, bob.pk}
    client.post(f"/care/groups/sessions/{session.pk}/", {"action": "cancel", "cancel_reason": "Facilitator ill"})
    reminder.refresh_from_db()
    assert not reminder.enabled  # withdrawn before it fires
    later = evening.sessions.get(planned_for=dt.date(2026, 11, 25))
    membership = evening.memberships.get(participant=bob)
    client.post(f"/care/groups/members/{membership.pk}/end/", {"left_on": "2026-11-24"})
    assert not Reminder.objects.get(kind=Reminder.Kind.SESSION, group_session=later, participant=bob).enabled
    assert Reminder.objects.get(kind=Reminder.Kind.SESSION, group_session=later, participant=alice).enabled
