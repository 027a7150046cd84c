"""The caseload's "Use reported" flag, from any source (an urge that ended in use, the check-in's
"yes", a BAM with a use score above 0, "I used" as the reason for missing group), which took over
the older "Setback" flag; and the "Missed doses" flag (three or more in the last 7 days).
"now" is Wed 18 Nov 2026, 12:00 in New York (alice's zone)."""

import datetime as dt
import uuid

import pytest

from people import NOW
from tracker import services, triage
from tracker.models import FlagAcknowledgement, Participant, QuestionnaireResponse

TODAY = dt.date(2026, 11, 18)


def flags(p):
    return {flag.key: flag for flag in triage.caseload([Participant.objects.get(pk=p.pk)])[0].flags}


def checkin(p, day, **answers):
    return services.checkin_put(participant=p, id=uuid.uuid4(), data={"date": day, **answers}).entry


def urge(p, at, outcome="used"):
    return services.urge_put(participant=p, id=uuid.uuid4(), data={"occurred_at": at, "intensity": 5,
                                                                   "outcome": outcome}).entry


def bam(p, completed_at, *, use, answers=None, complete=True):
    """A BAM response as the responses code saves it: answers, and scores set when complete."""
    return QuestionnaireResponse.objects.create(
        participant=p, instrument="bam", version="1", answers=answers or {}, complete=complete,
        completed_at=completed_at if complete else None, scores={"use": use, "risk": 3, "protective": 12},
        created_at=completed_at, updated_at=completed_at)


def medicate(p, *times_lists):
    for times in times_lists:
        services.medication_put(participant=p, id=uuid.uuid4(), data={"name": "A medication", "times": list(times)})


# -- "Use reported", from each source


def test_an_urge_that_ended_in_use_raises_it(alice, now):
    entry = urge(alice, NOW - dt.timedelta(days=2))
    flag = flags(alice)["use"]
    assert (flag.severity, flag.weight, flag.label) == ("urgent", 8, "Use reported")
    assert flag.evidence == f"urge:{entry.pk}"
    assert flag.text == "An urge on Mon 16 Nov, 17:00 ended in use."   # the active zone: UTC here


def test_a_check_in_that_says_yes_raises_it(alice, now):
    entry = checkin(alice, dt.date(2026, 11, 17), used_today="yes", substances=["alcohol", "opioids"])
    flag = flags(alice)["use"]
    assert flag.evidence == f"checkin:{entry.pk}"
    assert flag.text == "Said they used (alcohol, opioids), in the check-in for Tue 17 Nov."


@pytest.mark.parametrize("answer", ["no", "skip"])
def test_no_and_rather_not_say_raise_nothing(alice, now, answer):
    checkin(alice, TODAY, used_today=answer)
    assert "use" not in flags(alice)


def test_a_complete_bam_with_use_raises_it_in_the_forms_words(alice, now):
    response = bam(alice, NOW - dt.timedelta(days=1), use=5, answers={"4": 2, "5": 1, "6": 2})
    flag = flags(alice)["use"]
    assert flag.evidence == f"response:{response.pk}"
    assert flag.text == "BAM on Tue 17 Nov: alcohol on 4–8 days, drugs on 4–8 days in the past 30."


def test_a_bam_without_use_a_draft_or_another_questionnaire_raises_nothing(alice, now):
    bam(alice, NOW - dt.timedelta(days=1), use=0, answers={"4": 0, "5": 0, "6": 0})
    bam(alice, NOW - dt.timedelta(days=1), use=4, complete=False)
    QuestionnaireResponse.objects.create(participant=alice, instrument="phq9", version="1", complete=True,
                                         completed_at=NOW, scores={"use": 3, "total": 3})
    assert "use" not in flags(alice)


def test_i_used_as_the_reason_for_missing_group_still_raises_it(alice, now):
    from tracker.models import AbsenceNotice, Group, GroupMembership, GroupSession

    group = Group.objects.create(program=alice.program, name="Evening", weekdays=[0], start_time=dt.time(18),
                                 active_from=dt.date(2026, 1, 1))
    GroupMembership.objects.create(group=group, participant=alice, joined_on=dt.date(2026, 1, 1))
    session = GroupSession.objects.create(group=group, starts_at=dt.datetime(2026, 11, 16, 23, tzinfo=dt.UTC),
                                          ends_at=dt.datetime(2026, 11, 17, 2, tzinfo=dt.UTC))
    notice = AbsenceNotice.objects.create(participant=alice, session=session, reason=AbsenceNotice.Reason.USED)
    flag = flags(alice)["use"]
    assert flag.evidence == f"notice:{notice.pk}"
    assert flag.text == "Said they used, as the reason for missing group on Mon 16 Nov, 23:00."


@pytest.mark.parametrize(("days_back", "flagged"), [(7, True), (8, False)])
def test_a_check_ins_yes_counts_for_7_days(alice, now, days_back, flagged):
    checkin(alice, TODAY - dt.timedelta(days=days_back), used_today="yes")
    assert ("use" in flags(alice)) is flagged


@pytest.mark.parametrize(("age", "flagged"), [(dt.timedelta(days=7), True), (dt.timedelta(days=7, minutes=1), False)])
def test_a_bam_counts_for_7_days_after_it_was_completed(alice, now, age, flagged):
    bam(alice, NOW - age, use=2, answers={"4": 1})
    assert ("use" in flags(alice)) is flagged


def test_the_newest_report_is_the_evidence_and_the_count_says_how_many(alice, now):
    urge(alice, NOW - dt.timedelta(days=3))
    now.shift(dt.timedelta(minutes=5))
    bam(alice, NOW + dt.timedelta(minutes=5), use=2, answers={"6": 1})
    now.shift(dt.timedelta(minutes=5))
    entry = checkin(alice, TODAY, used_today="yes")
    flag = flags(alice)["use"]
    assert flag.evidence == f"checkin:{entry.pk}"
    assert flag.text == "Said they used, in the check-in for Wed 18 Nov (3 reports in 7 days)."


def test_the_use_flag_took_over_setback_with_one_flag_for_every_source(alice, now):
    urge(alice, NOW - dt.timedelta(hours=5))
    checkin(alice, TODAY, used_today="yes")
    bam(alice, NOW, use=1, answers={"4": 1})
    found = flags(alice)
    assert "setback" not in found and "setback" not in triage.LABELS
    assert [key for key in found if key == "use"] == ["use"]


def test_an_acknowledged_use_flag_counts_again_when_a_new_report_comes(alice, carol, now):
    urge(alice, NOW - dt.timedelta(days=1))
    flag = flags(alice)["use"]
    FlagAcknowledgement.objects.create(participant=alice, flag="use", evidence=flag.evidence, counselor=carol)
    assert flags(alice)["use"].acknowledgement is not None
    now.shift(dt.timedelta(minutes=10))
    checkin(alice, TODAY, used_today="yes")
    assert flags(alice)["use"].acknowledgement is None


def test_a_yes_in_the_check_in_tells_the_urgent_path(alice, now, monkeypatch):
    # A spy that calls through: tracker.urgent (another part of issue 17) decides what to tell whom.
    from tracker import urgent

    told, real = [], urgent.use_reported

    def spy(participant, evidence):
        told.append((participant.pk, evidence))
        return real(participant, evidence)

    monkeypatch.setattr(urgent, "use_reported", spy)
    entry_id = uuid.uuid4()
    services.checkin_put(participant=alice, id=entry_id, data={"date": TODAY, "used_today": "no"})
    assert told == []
    services.checkin_put(participant=alice, id=entry_id, data={"date": TODAY, "used_today": "yes"})
    services.checkin_put(participant=alice, id=entry_id, data={"date": TODAY, "used_today": "yes"})  # a replay
    assert told == [(alice.pk, f"checkin:{entry_id}")]


# -- Missed doses: three or more in the last 7 days


@pytest.mark.parametrize(("times", "answers", "total"), [
    # One medication at 08:00 and 20:00 (2 doses a day). "No" on Mon: 2; "some" (1) on Tue: 3 in all.
    ([["08:00", "20:00"]], {16: ("no", None), 17: ("some", 1)}, 3),
    # Two medications, 3 doses a day: one "No" day is 3.
    ([["08:00", "20:00"], ["12:00"]], {18: ("no", None)}, 3),
    # "Missed some" without a number counts one: two such days are 2, not flagged.
    ([["08:00"]], {15: ("some", None), 16: ("some", None), 17: ("yes", None)}, 2),
    # "Missed some, 3": flagged on its own.
    ([["08:00", "14:00", "20:00", "23:00"]], {18: ("some", 3)}, 3),
])
def test_missed_doses_count_per_day(alice, now, times, answers, total):
    medicate(alice, *times)
    for day, (took, missed) in answers.items():
        checkin(alice, dt.date(2026, 11, day), took_medication=took, doses_missed=missed)
    found = flags(alice)
    assert ("missed_doses" in found) is (total >= 3)
    if total >= 3:
        assert found["missed_doses"].text.startswith(f"{total} doses missed in the last 7 days (")
        assert found["missed_doses"].severity == "attention"


def test_the_missed_doses_window_is_exactly_7_days(alice, now):
    """Thu 12 Nov to Wed 18 Nov is the window: "No" on Wed 11 Nov (3 doses) does not count."""
    medicate(alice, ["08:00", "14:00", "20:00"])
    checkin(alice, dt.date(2026, 11, 11), took_medication="no")
    assert "missed_doses" not in flags(alice)
    checkin(alice, dt.date(2026, 11, 12), took_medication="some", doses_missed=2)
    assert "missed_doses" not in flags(alice)                 # 2 in the window
    checkin(alice, dt.date(2026, 11, 18), took_medication="some", doses_missed=1)
    flag = flags(alice)["missed_doses"]
    assert flag.text == "3 doses missed in the last 7 days (2 on Thu 12 Nov, 1 on Wed 18 Nov)."
    assert flag.evidence == "to:2026-11-18"


def test_a_stopped_medication_no_longer_counts_its_doses(alice, now):
    medicate(alice, ["08:00", "20:00"])
    stopped = services.medication_put(participant=alice, id=uuid.uuid4(), data={
        "name": "Stopped", "times": ["12:00", "18:00"], "active": False}).entry
    checkin(alice, TODAY, took_medication="no")
    assert "missed_doses" not in flags(alice)                 # 2 doses a day now, not 4
    services.medication_put(participant=alice, id=stopped.pk, data={"name": "Stopped", "times": ["12:00", "18:00"]})
    assert "missed_doses" in flags(alice)


def test_the_caseload_reads_use_and_doses_in_the_same_queries_whatever_its_size(program, carol, now):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from people import make_user

    def person(n):
        p = Participant.objects.create(user=make_user(f"u{n}"), program=program, time_zone="America/Chicago")
        p.care_team.add(carol)
        medicate(p, ["08:00"])
        checkin(p, TODAY, used_today="yes", took_medication="no")
        urge(p, NOW - dt.timedelta(hours=n + 1))
        bam(p, NOW - dt.timedelta(hours=n + 1), use=1, answers={"4": 1})
        return p

    def count(people):
        with CaptureQueriesContext(connection) as queries:
            rows = triage.caseload(people)
        assert all("use" in {f.key for f in row.flags} for row in rows)
        return len(queries)

    few = [person(n) for n in range(2)]
    many = few + [person(n) for n in range(2, 9)]
    assert count(few) == count(many)
