"""Program outcomes (issue 18, item 5): the figures against a hand-worked fixture of 30 people,
small-cell suppression (10 against 11, and the complementary cell), the period filter, access,
audit rows, and the CSV and API suppressed as the page is.

The fixture (program in America/New_York, period 2026-Q3 = 1 Jul to 30 Sep 2026, "today" is
18 Nov 2026, so figures run to 30 Sep):

  p0-p19 admitted Wed 1 Jul 2026 (cohort 2026-07, 20 people); p20-p29 admitted Mon 3 Aug (2026-08, 10).
  p0-p3   discharged 11 Jul (day 10), patient-directed; attended 2 sessions each  -> early dropouts
  p4-p5   discharged 21 Jul (day 20), transferred; attended 1                     -> left out of dropout
  p6-p7   discharged 31 Jul (day 30), administrative; attended 0                  -> left out of dropout
  p8-p13  discharged 30 Aug (day 60), completed; attended 6 (+1 at a cancelled session, not counted)
  p14-p19 still open (censored at 30 Sep, day 91)
  p20-p21 discharged 13 Aug (day 10), patient-directed; attended 0                -> early dropouts
  p22-p29 still open
  p20 also had an earlier episode, 1 May - 15 Jun (before the period: in no figure).
  p0 closed their account: what the program keeps still counts.
  Another program's episode, ended in the period, counts nowhere here.

Retention, cohort 2026-07 (n = 20), by hand:
  day 10: 4 leave of 20 at risk -> S = 16/20 = 0.80
  day 20: 2 leave of 16         -> S = 0.80 * 14/16 = 0.70
  day 30: 2 leave of 14         -> S = 0.70 * 12/14 = 0.60
  day 60: 6 leave of 12         -> S = 0.60 * 6/12  = 0.30
  so at days 7, 14, 30, 60, 90: 100%, 80%, 60%, 30%, 30%. Cohort 2026-08 has 10 people: "<11".

Early dropout: ended in the period 16; transfers + administrative 4 left out -> 12 counted;
  fewer than 5 sessions: p0-p3 and p20-p21 = 6 -> shown "<11"; rate 6/12 = 50%, hidden with it
  (50% of the 12 shown would give the 6 back).

Attendance by slot (group "Evening", Mon and Wed 18:00; an extra Sat 1 Aug 10:00):
  Mon 18:00 (6, 13, 20 Jul): marked 12 + 8 + 8 = 28, attended 12 + 6 + 6 = 24 -> 24/28 = 85.7 -> 86%
  Wed 18:00 (8, 15, 22 Jul): marked 18 + 8 + 6 = 32, attended 10 + 6 + 6 = 22 -> 22/32 = 68.75 -> 69%
  Sat 10:00 (1 Aug): marked 8, attended 6 -> "<11" (denominator under 11)
  Mon and Wed: 4 and 10 marks missed, so "attended" and the rate are hidden on the page (the
  marked count minus the attended would give a number of 1-10 back).
  (Mon 27 Jul 18:00 was cancelled: its 6 marks count nowhere.)

Group hours, week of 6 Jul (target: 6 h at IOP): the 20 of the July cohort are in treatment.
  p0 4 h (3 h Mon + 60 min Wed), p1-p3 6 h, p4-p5 3 h, p8-p13 6 h, p14-p19 0 h, p6-p7 0 h
  total 4 + 18 + 6 + 36 = 64 h / 20 = 3.2 h; met 6 h: p1-p3 and p8-p13 = 9 -> "<11"; 9/20 = 45%.

Measures (PHQ-9), episodes ended in the period: p0-p10 have a score on 2 Jul (15) and one in the
  last 14 days (9; p0's is 4); p0 also has 99 on 5 Jul (neither first nor last). p11 has no late
  score, p12's only score is outside both windows: 11 pairs. Mean first 15.0, mean last 94/11 =
  8.5, mean change -71/11 = -6.5.
"""

import csv
import datetime as dt
import io
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from people import NOW, make_user
from signin import verified_login
from tracker import outcomes
from tracker.models import (
    AbsenceNotice,
    Attendance,
    AuditEvent,
    Counselor,
    Episode,
    Group,
    GroupSession,
    Participant,
    Program,
    QuestionnaireResponse,
    local_instant,
)

S = outcomes.SUPPRESSED
JUL1, AUG3 = dt.date(2026, 7, 1), dt.date(2026, 8, 3)
Q3 = outcomes.quarter_period(year=2026, quarter=3)
TODAY = NOW.date()


def day(month, d):
    return dt.date(2026, month, d)


@pytest.fixture
def thirty(program, carol, now):
    return seed_thirty(program)


def seed_thirty(program):
    """The 30 people above, in `program`, in a dozen bulk inserts."""
    program.time_zone = "America/New_York"
    program.group_hours_targets = {"iop": 6}
    program.save()
    zone = program.zone
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"out-{i}", password="!") for i in range(30)])
    people = Participant.objects.bulk_create([Participant(user=u, program=program) for u in users])
    Participant.objects.filter(pk=people[0].pk).update(closed_at=NOW - dt.timedelta(days=20))
    P = [p.pk for p in people]
    D = Episode.Discharge
    ends = {**{i: (day(7, 11), D.PATIENT_DIRECTED) for i in range(0, 4)},
            **{i: (day(7, 21), D.TRANSFERRED) for i in range(4, 6)},
            **{i: (day(7, 31), D.ADMINISTRATIVE) for i in range(6, 8)},
            **{i: (day(8, 30), D.COMPLETED) for i in range(8, 14)},
            **{i: (day(8, 13), D.PATIENT_DIRECTED) for i in range(20, 22)}}
    episodes = [Episode(participant_id=P[i], program=program, admitted_on=JUL1 if i < 20 else AUG3,
                        discharged_on=ends.get(i, (None, ""))[0], discharge_type=ends.get(i, (None, ""))[1])
                for i in range(30)]
    episodes.append(Episode(participant_id=P[20], program=program, admitted_on=day(5, 1), discharged_on=day(6, 15),
                            discharge_type=D.COMPLETED))
    elsewhere = Program.objects.create(name="Elsewhere")
    stranger = Participant.objects.create(user=make_user("stranger"), program=elsewhere)
    episodes.append(Episode(participant=stranger, program=elsewhere, admitted_on=JUL1, discharged_on=day(7, 5),
                            discharge_type=D.PATIENT_DIRECTED))
    Episode.objects.bulk_create(episodes)

    group = Group.objects.create(program=program, name="Evening", weekdays=[0, 2], start_time=dt.time(18),
                                 length_min=180, active_from=day(6, 1))

    def session(d, hour=18, status=GroupSession.Status.HELD):
        starts = local_instant(d, dt.time(hour), zone)
        return GroupSession(group=group, starts_at=starts, ends_at=starts + dt.timedelta(minutes=180), status=status)

    mon = [session(day(7, 6)), session(day(7, 13)), session(day(7, 20))]
    wed = [session(day(7, 8)), session(day(7, 15)), session(day(7, 22))]
    cancelled = session(day(7, 27), status=GroupSession.Status.CANCELLED)
    saturday = session(day(8, 1), hour=10)
    GroupSession.objects.bulk_create([*mon, *wed, cancelled, saturday])
    marks = []

    def mark(s, who, status, minutes=None):
        for i in who:
            marks.append(Attendance(session=s, participant_id=P[i], status=status, minutes=minutes,
                                    recorded_at=s.ends_at))

    mark(mon[0], [0, 1, 2, 3, 4, 5, *range(8, 14)], "present")
    mark(mon[0], range(14, 20), "unmarked")
    mark(wed[0], [0], "late", minutes=60)
    mark(wed[0], [1, 2, 3], "late")
    mark(wed[0], [4, 5], "absent")
    mark(wed[0], range(8, 14), "present")
    mark(wed[0], range(14, 20), "absent")
    for s in (mon[1], mon[2]):
        mark(s, [4, 5], "absent")
        mark(s, range(8, 14), "present")
    mark(wed[1], [4, 5], "excused")
    mark(wed[1], range(8, 14), "present")
    mark(wed[2], range(8, 14), "left_early")
    mark(cancelled, range(8, 14), "present")
    mark(saturday, range(14, 20), "present")
    mark(saturday, [8, 9], "absent")
    Attendance.objects.bulk_create(marks)

    R = AbsenceNotice.Reason
    notices = [AbsenceNotice(id=uuid.uuid4(), participant_id=P[i], session=s, reason=reason)
               for s, who, reason in ((mon[1], [4, 5], R.RIDE), (mon[2], [4, 5], R.WORK), (wed[0], range(14, 20), R.SICK),
                                      (wed[1], range(14, 20), R.SICK), (wed[1], [4, 5], R.CHILDCARE))
               for i in who]
    AbsenceNotice.objects.bulk_create(notices)

    def phq9(i, d, total):
        at = local_instant(d, dt.time(12), zone)
        return QuestionnaireResponse(id=uuid.uuid4(), participant_id=P[i], instrument="phq9", version="1",
                                     complete=True, completed_at=at, scores={"total": total})

    late_day = {**{i: day(7, 10) for i in range(0, 4)}, 4: day(7, 20), 5: day(7, 20), 6: day(7, 30), 7: day(7, 30),
                8: day(8, 29), 9: day(8, 29), 10: day(8, 29)}
    responses = [phq9(i, day(7, 2), 15) for i in range(0, 12)]
    responses += [phq9(i, late_day[i], 4 if i == 0 else 9) for i in range(0, 11)]
    responses += [phq9(0, day(7, 5), 99), phq9(12, day(7, 20), 20)]
    QuestionnaireResponse.objects.bulk_create(responses)
    return {"program": program, "people": P}


def table(report, key):
    t = report[key]
    return [dict(zip([k for k, _ in t.columns], row)) for row in t.rows]


def test_the_figures_match_the_hand_worked_fixture(thirty, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        report = outcomes.report(program=thirty["program"], period=Q3, today=TODAY)
    assert report.until == day(9, 30)

    retention = table(report, "retention")
    # 14 ended and 6 still open: the 6 is hidden, so the 14 is too (20 - 14 would give it away), and
    # so is every day's percentage (80% of 20 says 4 had left): the figures, below with nothing hidden.
    assert retention[0] == {"cohort": "2026-07", "admitted": 20, "ended": S, "open": S,
                            "day_7": S, "day_14": S, "day_30": S, "day_60": S, "day_90": S}
    assert retention[1]["cohort"] == "2026-08" and retention[1]["admitted"] == S
    assert all(retention[1][f"day_{d}"] == S for d in outcomes.RETENTION_DAYS)
    assert report.curves[0].steps == [] and report.curves[1].steps == []  # nothing drawn that is hidden

    # 12 counted and 4 left out of the 16 discharges (a total shown with the discharge types): the 4 is
    # hidden, so the 12 is too, and with it the 6 and its 50% (6 over 50% would give the 12 back).
    assert table(report, "dropout") == [{"ended": S, "early": S, "rate": S, "excluded": S}]

    attendance = table(report, "attendance")
    # 24 of 28 and 22 of 32 marks attended: 4 and 10 missed, so the attended counts and their rates
    # are hidden (28 - 24 would give the 4 back); the figures themselves: the test below.
    assert [(r["slot"], r["sessions"], r["marked"], r["attended"], r["rate"]) for r in attendance] == [
        ("Mon 18:00", 3, 28, S, S), ("Wed 18:00", 3, 32, S, S), ("Sat 10:00", 1, S, S, S)]

    hours = {r["week"]: r for r in table(report, "hours")}
    assert hours["2026-07-06"] == {"week": "2026-07-06", "people": 20, "mean_hours": 3.2, "mean_target": 6.0,
                                   "met": S, "met_rate": S}
    # Week of 13 Jul: p4-p19 (16) in treatment; p8-p13 attended 6 h each: 36 / 16 = 2.25 -> 2.3.
    assert hours["2026-07-13"]["people"] == 16 and hours["2026-07-13"]["mean_hours"] == 2.3

    census = {r["week"]: r for r in table(report, "census")}
    assert census["2026-06-29"] == {"week": "2026-06-29", "in_treatment": 20, "admitted": 20}
    # 3-9 Aug: p8-p19 of July (12) and the 10 admitted that Monday.
    assert census["2026-08-03"] == {"week": "2026-08-03", "in_treatment": 22, "admitted": S}
    # 31 Aug - 6 Sep: p14-p19 and p22-p29 (p8-p13 left on Sunday 30 Aug).
    assert census["2026-08-31"] == {"week": "2026-08-31", "in_treatment": 14, "admitted": 0}
    assert list(census)[-1] == "2026-09-28"

    # 16 ended: 6 patient-directed, 6 completed, 2 transferred, 2 administrative; all under 11,
    # so each is hidden, zeros shown, the total (16) shown.
    assert {r["type"]: r["count"] for r in table(report, "discharges")} == {
        "Completed": S, "Stepped down": 0, "Stepped up": 0, "Patient-directed": S, "Transferred": S,
        "Administrative": S, "Total": 16}

    phq9 = table(report, "measures")[0]
    assert phq9 == {"measure": "PHQ-9", "pairs": 11, "mean_first": 15.0, "mean_last": 8.5, "mean_change": -6.5}
    assert table(report, "measures")[1]["pairs"] == 0 and table(report, "measures")[1]["mean_first"] is None

    # Reasons by slot: Mon ride 2, work 2; Wed childcare 2, sick 12. Every cell under 11 is hidden,
    # then Wed sick (12) as the complement in its row, then Wed's total (14) in the totals
    # column, then the sick column's total (12; its other cell is 0): only the grand total is left.
    reasons = table(report, "reasons")
    assert reasons[0] == {"group": "Evening", "slot": "Mon 18:00", "ride": S, "work": S, "childcare": 0, "sick": 0,
                          "used": 0, "forgot": 0, "other": 0, "total": S}
    assert reasons[1] == {"group": "Evening", "slot": "Wed 18:00", "ride": 0, "work": 0, "childcare": S, "sick": S,
                          "used": 0, "forgot": 0, "other": 0, "total": S}
    assert reasons[2] == {"group": "Total", "slot": "", "ride": S, "work": S, "childcare": S, "sick": S,
                          "used": 0, "forgot": 0, "other": 0, "total": 18}


def test_the_hand_worked_figures_before_anything_is_hidden(thirty, monkeypatch):
    """The same report with the threshold at 1 (nothing hidden): the hand-worked slot, dropout and
    hours figures themselves, which the suppressed page hides."""
    monkeypatch.setattr(outcomes, "SMALLEST_SHOWN", 1)
    report = outcomes.report(program=thirty["program"], period=Q3, today=TODAY)
    assert table(report, "dropout") == [{"ended": 12, "early": 6, "rate": 50, "excluded": 4}]
    retention = table(report, "retention")[0]
    assert [retention[f"day_{d}"] for d in outcomes.RETENTION_DAYS] == [100, 80, 60, 30, 30]
    # The curve goes through the days the table shows.
    assert report.curves[0].steps == [(0, 1.0), (7, 1.0), (14, 0.8), (30, pytest.approx(0.6)),
                                      (60, pytest.approx(0.3)), (90, pytest.approx(0.3))]
    assert [(r["slot"], r["sessions"], r["marked"], r["attended"], r["rate"]) for r in table(report, "attendance")] == [
        ("Mon 18:00", 3, 28, 24, 86), ("Wed 18:00", 3, 32, 22, 69), ("Sat 10:00", 1, 8, 6, 75)]
    week = next(r for r in table(report, "hours") if r["week"] == "2026-07-06")
    assert week["met"] == 9 and week["met_rate"] == 45


@pytest.mark.parametrize(("part", "whole", "shown"), [
    (24, 28, S), (11, 21, S), (11, 22, 50), (0, 11, 0), (11, 11, 100), (10, 30, S), (20, 30, S), (19, 30, 63)])
def test_a_part_and_its_rate_are_hidden_when_it_or_the_rest_is_1_to_10(part, whole, shown):
    assert outcomes.proportion_cell(part, whole) == shown
    assert outcomes.part_cell(part, whole) == (S if shown == S else part)


@pytest.mark.parametrize(("counted", "early", "excluded", "row"), [
    (40, 20, 0, [40, 20, 50, 0]), (40, 20, 11, [40, 20, 50, 11]), (40, 5, 0, [40, S, S, 0]),
    (40, 20, 4, [S, S, S, S]), (5, 2, 30, [S, S, S, S]), (30, 25, 0, [30, S, S, 0])])
def test_the_dropout_row_hides_what_the_discharges_total_would_give_back(counted, early, excluded, row):
    assert outcomes._dropout_row(counted, early, excluded) == [row]


def test_raw_figures_before_suppression():
    stays = [outcomes.Stay(admitted_on=JUL1, discharged_on=day(7, 11), discharge_type="patient_directed", attended=4),
             outcomes.Stay(admitted_on=JUL1, discharged_on=day(7, 11), discharge_type="completed", attended=5),
             outcomes.Stay(admitted_on=JUL1, discharged_on=day(7, 11), discharge_type="transferred", attended=0),
             outcomes.Stay(admitted_on=JUL1, discharged_on=None, discharge_type="", attended=0)]
    # 4 sessions is early, 5 is not; the transfer is left out; the open one has not ended.
    assert outcomes.early_dropout(stays, Q3, day(9, 30)) == (2, 1, 1)
    times = outcomes.retention_times(stays, day(9, 30))
    assert times == [(10, True), (10, True), (10, True), (91, False)]
    assert outcomes.kaplan_meier(times, at_days=(9, 10, 91)) == [(9, 1.0, 4), (10, 0.25, 1), (91, 0.25, 0)]
    # Discharged after the period's last day: censored there, not an event.
    late = [outcomes.Stay(admitted_on=JUL1, discharged_on=day(10, 20), discharge_type="completed")]
    assert outcomes.retention_times(late, day(9, 30)) == [(91, False)]


@pytest.mark.parametrize(("n", "shown"), [(0, 0), (1, S), (10, S), (11, 11), (12, 12)])
def test_counts_of_1_to_10_are_hidden(n, shown):
    assert outcomes.count_cell(n) == shown


def test_rates_over_fewer_than_11_are_hidden():
    assert outcomes.rate_cell(5, 10) == S
    assert outcomes.rate_cell(5, 11) == 45
    assert outcomes.rate_cell(0, 11) == 0
    assert outcomes.rate_cell(0, 0) is None


def test_a_lone_hidden_cell_takes_its_next_smallest_with_it():
    # One column with a total: 5 is hidden, so 20 (the next smallest) is too; 30 and 55 stay.
    cells, _rows, columns, _grand = outcomes.suppress_counts([[5], [30], [20], [0]], column_totals=True)
    assert [c[0] for c in cells] == [S, 30, S, 0] and columns == [55]
    # Two hidden already: nothing more.
    cells, _rows, columns, _grand = outcomes.suppress_counts([[5], [7], [20]], column_totals=True)
    assert [c[0] for c in cells] == [S, S, 20] and columns == [32]
    # Nothing under 11: everything shown.
    assert outcomes.suppress_counts([[11], [12]], column_totals=True)[0] == [[11], [12]]
    # Both ways: the 3 takes 20 (its row) and 15 (its column); then 40 goes with 15's row.
    cells, rows, columns, grand = outcomes.suppress_counts([[3, 20], [15, 40]], row_totals=True, column_totals=True)
    assert cells == [[S, S], [S, S]] and rows == [23, 55] and columns == [18, 60] and grand == 78


def test_no_hidden_cell_can_be_found_by_subtraction():
    """Every row and column with a total has no hidden cells, or at least two."""
    import random
    rng = random.Random(5)
    for _ in range(300):
        matrix = [[rng.choice([0, 0, 1, 4, 9, 10, 11, 12, 25, 40]) for _ in range(4)] for _ in range(3)]
        cells, rows, columns, grand = outcomes.suppress_counts(matrix, row_totals=True, column_totals=True)
        full = [row + [total] for row, total in zip(cells, rows)] + [columns + [grand]]
        for line in [*full, *zip(*full)]:
            assert sum(value == S for value in line) != 1, (matrix, full)
        for r, row in enumerate(matrix):
            for c, n in enumerate(row):
                assert cells[r][c] in (S, n)  # hidden or itself, never another number
                assert cells[r][c] == S or not 1 <= n <= 10  # 1-10 always hidden
                assert n != 0 or cells[r][c] == 0


# Empty: the last twelve months up to today (18 Nov 2026).
@pytest.mark.parametrize(("text", "key"), [("2026-Q3", "2026-Q3"), ("2026", "2026"), ("", "2025-11-19..2026-11-18"),
                                           ("2026-03-01..2026-03-31", "2026-03-01..2026-03-31")])
def test_period_keys(text, key):
    assert outcomes.parse_period(text, today=TODAY).key == key


@pytest.mark.parametrize("text", ["2026-Q5", "soon", "2027", "1999-Q1", "2026-03-01..2026-03-30",
                                  "2026-05-01..2026-04-01", "2026-12-01..2027-01-31", "2020-01-01..2024-01-01"])
def test_bad_periods_are_refused(text):
    with pytest.raises(outcomes.ValidationError):
        outcomes.parse_period(text, today=TODAY)


@pytest.fixture
def admin_client(carol):
    carol.is_program_admin = True
    carol.save()
    return verified_login(Client(), carol.user)


def last_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_page_shows_the_figures_and_writes_one_row(thirty, admin_client, carol):
    before = last_pk()
    response = admin_client.get(reverse("care_program"), {"kind": "quarter", "year": "2026", "quarter": "3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mon 18:00" in html and "<svg" in html
    # The retention chart hides what its table hides: nothing drawn for this fixture's cohorts.
    assert "days since admission" not in html and "every value is hidden as a small number" in html
    assert "&lt;11" in html
    rows = list(AuditEvent.objects.filter(pk__gt=before))
    assert [(r.action, r.resource, r.participant_id, r.object_id, r.actor_id, r.program_id) for r in rows] == [
        ("read", "program-outcomes", None, "2026-Q3", carol.user.pk, thirty["program"].pk)]
    # The nav links it for admins.
    assert f'href="{reverse("care_program")}"' in html


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"kind": "custom", "first": "2026-03-01", "last": "2026-03-20"}, "last", "at least a month"),
    ({"kind": "custom", "first": "2026-03-01"}, "last", "Give a day"),
    ({"kind": "custom", "first": "2026-03-01", "last": "soon"}, "last", "valid date"),
    ({"kind": "year", "year": "2027"}, "year", "not started"),
    ({"kind": "quarter", "year": "abc", "quarter": "2"}, "year", "whole number"),
])
def test_a_bad_period_gets_a_message_next_to_its_field(admin_client, query, field, message):
    response = admin_client.get(reverse("care_program"), query)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and response.context["report"] is None
    # The CSV of a bad period goes back to the page (where the message is).
    csv_response = admin_client.get(reverse("care_program_csv"), query)
    assert csv_response.status_code == 302 and csv_response["Location"].startswith(reverse("care_program"))


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_is_suppressed_as_the_page_and_audited(thirty, admin_client, carol):
    before = last_pk()
    response = admin_client.get(reverse("care_program_csv"), {"kind": "quarter", "year": "2026", "quarter": "3"})
    assert response.status_code == 200 and "2026-Q3" in response["Content-Disposition"]
    lines = read_csv(response)
    rows = list(AuditEvent.objects.filter(pk__gt=before))
    assert [(r.action, r.resource, r.participant_id, r.object_id) for r in rows] == [
        ("export", "program-outcomes", None, "2026-Q3")]
    report = outcomes.report(program=thirty["program"], period=Q3, today=TODAY)
    # Every table's rows, as the page shows them ("" for nothing to divide), in the file.
    for t in report.tables.values():
        start = lines.index(["section", t.key, t.title])
        assert lines[start + 1] == [k for k, _ in t.columns]
        assert lines[start + 2:start + 2 + len(t.rows)] == [["" if v is None else str(v) for v in row] for row in t.rows]
    assert ["Sat 10:00"] == [line[1] for line in lines if len(line) > 1 and line[1] == "Sat 10:00"]
    sat = next(line for line in lines if len(line) > 1 and line[1] == "Sat 10:00")
    assert sat[3:] == [S, S, S]
    dropout = lines[lines.index(["section", "dropout", "Early dropout"]) + 2]
    assert dropout == [S, S, S, S]


def test_the_api_gives_the_same_suppressed_figures_and_is_audited(thirty, admin_client):
    before = last_pk()
    response = admin_client.get("/api/v1/care/program/outcomes/", {"period": "2026-Q3"})
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == {"key": "2026-Q3", "first": "2026-07-01", "last": "2026-09-30", "until": "2026-09-30"}
    sections = {s["key"]: s for s in data["sections"]}
    assert sections["dropout"]["rows"] == [{"ended": S, "early": S, "rate": S, "excluded": S}]
    assert sections["retention"]["rows"][0]["day_60"] == S and sections["retention"]["rows"][1]["admitted"] == S
    assert data["retention_curves"][1] == {"cohort": "2026-08", "steps": []}
    rows = list(AuditEvent.objects.filter(pk__gt=before))
    assert [(r.action, r.resource, r.participant_id, r.object_id) for r in rows] == [
        ("read", "program-outcomes", None, "2026-Q3")]
    bad = admin_client.get("/api/v1/care/program/outcomes/", {"period": "2026-Q9"})
    assert bad.status_code == 400 and list(bad.json()) == ["period"]


@pytest.mark.parametrize("url", ["/care/program/", "/care/program/outcomes.csv", "/api/v1/care/program/outcomes/"])
def test_only_program_admins_get_in(url, program, carol, alice):
    counselor = Counselor.objects.create(user=make_user("erin"), program=program)  # not an admin
    for user in (counselor.user, alice.user):
        client = verified_login(Client(), user) if user == counselor.user else Client()
        if user == alice.user:
            client.force_login(user)
        before = last_pk()
        response = client.get(url)
        assert response.status_code == 404, (url, user)
        rows = list(AuditEvent.objects.filter(pk__gt=before))
        assert [(r.action, r.actor_id, r.resource) for r in rows] == [("denied", user.pk, "program-outcomes")]
    before = last_pk()
    assert Client().get(url).status_code in (302, 401, 403)
    assert last_pk() == before
