"""My progress: "Days you told Steady you didn't use: N of the M days you answered", against
calendars worked by hand. A day counts as answered when its check-in says no or yes; "I'd rather
not say", a check-in without the question answered, and a day without a check-in count neither
way. Nothing is a streak: a "yes" day is one day among the others.

Each calendar is a small table: one line per local day, "<day of month> <answer>", where the
answer is no, yes, skip (I'd rather not say), open (a check-in with the question left open) or
- (no check-in)."""

import datetime as dt
import uuid

import pytest
import time_machine

from tracker import progress, services

NOV = dt.date(2026, 11, 1)


def write(participant, calendar, month=NOV):
    """Save the calendar's check-ins; the days come from `month` (a day number below 1 is the
    month before: 0 is its last day)."""
    for line in calendar.strip().splitlines():
        number, answer = line.split()
        day = month + dt.timedelta(days=int(number) - 1)
        if answer == "-":
            continue
        data = {"date": day, "stress": 3} if answer == "open" else {"date": day, "used_today": answer}
        if answer == "yes":
            data["substances"] = ["alcohol"]
        services.checkin_put(participant=participant, id=uuid.uuid4(), data=data)


def counted(participant, days, now=None):
    use = progress.progress(participant=participant, days=days, now=now).use
    return use.no, use.answered


# Today is Wed 18 Nov 2026 (the `now` fixture); a 7-day period is Thu 12 to Wed 18 Nov.
CALENDARS = {
    # no on 12, 13, 15, 18 (4); yes on 14; skip and no check-in are not counted: 4 of 5.
    "a mixed week": ("""
        12 no
        13 no
        14 yes
        15 no
        16 -
        17 skip
        18 no
    """, 4, 5),
    # Only "rather not say" and silence: nothing answered, nothing counted.
    "rather not say all week": ("""
        12 skip
        13 skip
        14 -
        15 skip
        16 open
        17 skip
        18 -
    """, 0, 0),
    # Check-ins that left the question open are not answers: no on 12 and 17, yes on 15, 16: 2 of 4.
    "check-ins without the question": ("""
        12 no
        13 open
        14 -
        15 yes
        16 yes
        17 no
        18 open
    """, 2, 4),
    # A "yes" in the middle does not reset anything: 6 no days of 7 answered.
    "one yes among no days": ("""
        12 no
        13 no
        14 no
        15 yes
        16 no
        17 no
        18 no
    """, 6, 7),
    # The period's edges: Wed 11 is the day before the period (not counted), Thu 12 its first day.
    "the period's first day and the day before": ("""
        10 yes
        11 no
        12 yes
        13 no
        18 no
    """, 2, 3),
}


@pytest.mark.parametrize(("calendar", "no", "answered"), CALENDARS.values(), ids=CALENDARS.keys())
def test_days_without_use_over_a_week(alice, now, calendar, no, answered):
    write(alice, calendar)
    assert counted(alice, 7) == (no, answered)


def test_the_counts_of_each_answer_add_up_to_the_period(alice, now):
    write(alice, CALENDARS["a mixed week"][0])
    use = progress.progress(participant=alice, days=7).use
    # 12, 13, 15, 18 no; 14 yes; 17 skip; 16 nothing.
    assert (use.no, use.yes, use.not_said, use.unanswered) == (4, 1, 1, 1)


def test_a_dst_week_counts_local_days(alice):
    """US clocks went back at 02:00 on Sun 1 Nov 2026. At 04:30 UTC on Wed 4 Nov it is still
    Tue 3 Nov, 23:30 in New York (EST, UTC-5): the 7 days are Wed 28 Oct to Tue 3 Nov, one of
    them 25 hours long. Counting by UTC dates would take Thu 29 Oct to Wed 4 Nov instead."""
    now = dt.datetime(2026, 11, 4, 4, 30, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        # Day numbers from 1 Nov: -4 is Tue 27 Oct, -3 Wed 28 Oct, 0 Sat 31 Oct.
        write(alice, """
            -4 no
            -3 no
            -2 yes
            -1 skip
            0 no
            1 no
            2 -
            3 no
        """)
        # In the period: 28 Oct no, 29 yes, 30 skip, 31 no, 1 Nov no, 3 Nov no: 4 no of 5 answered.
        # (27 Oct is the day before; by UTC dates 28 Oct would drop out: 3 of 4.)
        assert counted(alice, 7) == (4, 5)
        figures = progress.progress(participant=alice, days=7)
        assert (figures.first, figures.last) == (dt.date(2026, 10, 28), dt.date(2026, 11, 3))


def test_an_edit_from_no_to_rather_not_say_takes_the_day_out(alice, now):
    entry_id = uuid.uuid4()
    services.checkin_put(participant=alice, id=entry_id, data={"date": dt.date(2026, 11, 18), "used_today": "no"})
    assert counted(alice, 7) == (1, 1)
    services.checkin_put(participant=alice, id=entry_id, data={"date": dt.date(2026, 11, 18), "used_today": "skip"})
    assert counted(alice, 7) == (0, 0)


def test_my_progress_says_it_in_words_and_never_as_a_streak(alice, alice_client, now):
    write(alice, CALENDARS["a mixed week"][0])
    page = alice_client.get("/progress/?days=7").content.decode()
    assert "Days you told Steady you didn't use: 4 of the 5 days you answered" in page
    assert "rather not say, or didn’t answer, are not counted either way" in page
    lowered = page.lower()
    assert "streak" not in lowered and "clean" not in lowered and "sober" not in lowered
    # 30 days: the same five answers (nothing before 12 Nov).
    assert "4 of the 5 days you answered" in alice_client.get("/progress/?days=30").content.decode()


def test_my_progress_leaves_the_block_out_until_the_question_is_answered(alice, alice_client, now):
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": dt.date(2026, 11, 18), "stress": 2})
    assert "Alcohol and drugs" not in alice_client.get("/progress/?days=7").content.decode()
    services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": dt.date(2026, 11, 17), "used_today": "skip"})
    page = alice_client.get("/progress/?days=7").content.decode()
    assert "No days answered with no or yes in this period." in page


def test_the_progress_api_has_the_same_counts(api, alice, now):
    write(alice, CALENDARS["check-ins without the question"][0])
    body = api.get("/api/v1/progress/?days=7").json()
    assert body["use"] == {"no": 2, "answered": 4, "yes": 2, "not_said": 0, "unanswered": 3}
