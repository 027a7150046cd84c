"""Questionnaire scores in the care workspace (issue 17): each score's change since intake and
its reliable-change mark (worked by hand), the answers item by item, the BAM's three scores,
the scores page and the block on the care page, and the week's questionnaires in the summary.
"now" is Wednesday 18 November 2026, 12:00 in New York (alice's zone)."""

import dataclasses
import datetime as dt
import re

import pytest
from django.utils.html import escape

import measures_data as data
from tracker import instruments, scores
from tracker.models import AuditEvent, Questionnaire

PHQ9 = instruments.PHQ9.score_def("total")
GAD7 = instruments.GAD7.score_def("total")


def days_ago(n, hour=10):
    """A time on the local day n days before today, in New York (alice's zone)."""
    day = dt.date(2026, 11, 18) - dt.timedelta(days=n)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.timezone(dt.timedelta(hours=-5))).astimezone(dt.UTC)


# -- reliable change, worked by hand from the thresholds (PHQ-9 6 points, GAD-7 4; NHS Talking Therapies)


@pytest.mark.parametrize(("score", "intake", "latest", "mark"), [
    (PHQ9, 18, 12, scores.IMPROVEMENT),  # -6: at the threshold
    (PHQ9, 18, 13, None),                # -5: one short
    (PHQ9, 12, 18, scores.WORSENING),    # +6
    (PHQ9, 13, 18, None),                # +5
    (PHQ9, 27, 0, scores.IMPROVEMENT),   # the whole scale
    (GAD7, 12, 8, scores.IMPROVEMENT),   # -4
    (GAD7, 12, 9, None),                 # -3
    (GAD7, 8, 12, scores.WORSENING),     # +4
    (GAD7, 9, 12, None),                 # +3
    (GAD7, 10, 10, None),                # no change
])
def test_reliable_change_is_at_least_the_threshold(score, intake, latest, mark):
    assert scores.reliable_mark(score, latest - intake) == mark


def test_where_higher_is_better_a_rise_is_the_improvement():
    better_up = dataclasses.replace(PHQ9, higher_is_better=True)
    assert scores.reliable_mark(better_up, 6) == scores.IMPROVEMENT
    assert scores.reliable_mark(better_up, -6) == scores.WORSENING


def test_the_bam_has_no_reliable_change_mark():
    for score in instruments.BAM.scores:
        assert score.reliable_change is None
        assert scores.reliable_mark(score, 20) is None and scores.reliable_mark(score, -20) is None


def test_change_since_intake_on_a_persons_history(alice, now):
    # PHQ-9 18 at intake, then 15, then 12: -3 (no mark), then -6 (reliable improvement).
    # GAD-7 12 at intake, then 9 (-3, no mark), then 16 (+4, reliable worsening).
    data.phq9(alice, 18, at=days_ago(42), intake=True)
    data.phq9(alice, 15, at=days_ago(28))
    data.phq9(alice, 12, at=days_ago(14))
    data.gad7(alice, 12, at=days_ago(42), intake=True)
    data.gad7(alice, 9, at=days_ago(28))
    data.gad7(alice, 16, at=days_ago(0))
    phq, gad = scores.participant_scores(alice)
    assert [(p.value, p.change, p.mark) for p in phq.scores[0].points] == [
        (18, None, None), (15, -3, None), (12, -6, scores.IMPROVEMENT)]
    assert [(p.value, p.change, p.mark) for p in gad.scores[0].points] == [
        (12, None, None), (9, -3, None), (16, 4, scores.WORSENING)]
    assert [p.band for p in phq.scores[0].points] == ["Moderately severe", "Moderately severe", "Moderate"]
    assert phq.scores[0].change == -6 and gad.scores[0].mark == scores.WORSENING


def test_intake_is_the_intake_questionnaire_else_the_earliest(alice, now):
    # An earlier response to a questionnaire that was not the intake one: the intake is still the intake.
    first = data.phq9(alice, 20, at=days_ago(50))
    intake = data.phq9(alice, 16, at=days_ago(42), intake=True)
    data.phq9(alice, 10, at=days_ago(1))
    (phq,) = scores.participant_scores(alice)
    assert phq.intake == intake
    assert [(p.value, p.is_intake, p.change) for p in phq.scores[0].points] == [
        (20, False, None), (16, True, None), (10, False, -6)]
    # Without an intake questionnaire, the earliest is intake.
    Questionnaire.objects.filter(pk=intake.questionnaire_id).update(intake=False)
    (phq,) = scores.participant_scores(alice)
    assert phq.intake == first and phq.scores[0].latest.change == 10 - 20


def test_drafts_are_never_in_the_scores(alice, now):
    data.phq9(alice, 9, at=days_ago(14), intake=True)
    data.draft(alice, "phq9", {"1": 3, "2": 3}, at=days_ago(0))
    (phq,) = scores.participant_scores(alice)
    assert [p.value for p in phq.scores[0].points] == [9]


# -- the scores page


@pytest.fixture
def answered(alice, now):
    """alice: PHQ-9 18 at intake (6 weeks ago), 12 two weeks ago; GAD-7 12 then 9; a BAM."""
    data.phq9(alice, 18, at=days_ago(42), intake=True, difficulty=2)
    data.phq9(alice, 12, at=days_ago(14), difficulty=1)
    data.gad7(alice, 12, at=days_ago(42), intake=True)
    data.gad7(alice, 9, at=days_ago(14))
    data.bam(alice, at=days_ago(30), intake=True, use=0, risk=10, protective=14)
    data.bam(alice, at=days_ago(2), use=2, risk=15, protective=9)
    return alice


def item_rows(html, key):
    """{row heading text: [cell texts]} of the item table of one instrument."""
    table = re.search(rf'<table class="items-table">\s*<caption id="items-{key}-caption".*?</table>', html, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_item_table_shows_words_and_points_per_date(answered, carol_client):
    html = carol_client.get(f"/care/participants/{answered.pk}/questionnaires/").content.decode()
    rows = item_rows(html, "phq9")
    # Columns: the two dates, intake first. 18 = items 1-6 at 3; 12 = items 1-4 at 3 (phq9_answers).
    assert rows["Item"] == ["7 Oct 2026 (intake)", "4 Nov 2026"]
    assert rows["1. Little interest or pleasure in doing things"] == ["Nearly every day (3)", "Nearly every day (3)"]
    assert rows["5. Poor appetite or overeating"] == ["Nearly every day (3)", "Not at all (0)"]
    assert rows["9. Thoughts that you would be better off dead or of hurting yourself in some way"] == [
        "Not at all (0)", "Not at all (0)"]
    difficulty = next(key for key in rows if key.startswith("10. If you checked off any problems"))
    assert difficulty.endswith("not scored")
    # The closing question: its words, no points.
    assert rows[difficulty] == ["Very difficult", "Somewhat difficult"]
    # Under the items, the total with its band and its change since intake.
    assert rows["Total"] == ["18 Moderately severe", "12 Moderate −6 Reliable improvement"]
    assert len([key for key in rows if re.match(r"\d+\. ", key)]) == 10


def test_the_bam_shows_its_three_scores_and_the_source_of_its_bands(answered, carol_client):
    html = carol_client.get(f"/care/participants/{answered.pk}/questionnaires/").content.decode()
    rows = item_rows(html, "bam")
    # Use 0 -> 2, risk 10 -> 15, protective 14 -> 9 (down: worse, higher is better); no reliable-change marks.
    assert rows["Use"] == ["0 None reported", "2 Use reported +2"]
    assert rows["Risk factors"] == ["10 Below 12", "15 12 or more +5"]
    assert rows["Protective factors (higher is better)"] == ["14 Above 12", "9 12 or below −5"]
    assert "7A. In the past 30 days, how many days did you use Marijuana (cannabis, pot, weed)? not scored" in rows
    assert "Reliable" not in str(rows["Risk factors"])
    assert "Bands of BAM Use, BAM Risk factors, BAM Protective factors:" in html
    assert escape(instruments.BAM_VENDOR_BANDS) in html
    assert "NHS Talking Therapies" in html and escape(instruments.NHS_RELIABLE_CHANGE) in html


def test_each_score_gets_a_chart_with_its_bands_and_a_point_per_response(answered, carol_client):
    html = carol_client.get(f"/care/participants/{answered.pk}/questionnaires/").content.decode()
    charts = re.findall(r'<figure class="chart score-chart m-([a-z0-9-]+)".*?</figure>', html, re.S)
    # One colour per instrument, as on the participant's own charts.
    assert charts == ["phq9", "gad7", "bam", "bam", "bam"]
    ids = re.findall(r'<figure class="chart score-chart m-[a-z0-9]+" aria-labelledby="chart-([a-z0-9]+-[a-z]+)-caption"', html)
    assert ids == ["phq9-total", "gad7-total", "bam-use", "bam-risk", "bam-protective"]
    figures = dict(zip(ids, re.findall(r'<figure class="chart score-chart.*?</figure>', html, re.S)))
    phq = figures["phq9-total"]
    assert phq.count('class="score-band sev-') == 5   # None-minimal ... Severe
    assert phq.count('class="bar point"') == 2
    assert 'aria-label="Wed 4 Nov 2026, PHQ-9: 12 points (Moderate)"' in phq
    assert '<text class="axis-title" x="2" y="12">points</text>' in phq
    assert [label for label in re.findall(r'<text class="axis-label"[^>]*>([^<]+)</text>', phq)] == [
        "0", "5", "10", "15", "20", "27", "7 Oct", "4 Nov"]
    assert figures["bam-use"].count('class="score-band sev-') == 2
    assert "(higher is better)" in figures["bam-protective"] and "(lower is better)" in phq


def test_the_page_lists_due_done_and_missed(alice, now, carol_client):
    data.phq9(alice, 7, at=days_ago(14), intake=True)
    data.questionnaire(alice, "gad7", dt.date(2026, 11, 9), status=Questionnaire.Status.MISSED)
    open_one = data.questionnaire(alice, "phq9", dt.date(2026, 11, 17))
    data.draft(alice, "phq9", {"1": 1}, at=days_ago(0), questionnaire=open_one)
    data.questionnaire(alice, "bam", dt.date(2026, 11, 20))
    html = carol_client.get(f"/care/participants/{alice.pk}/questionnaires/").content.decode()
    table = re.search(r'<table class="due-table">.*?</table>', html, re.S).group(0)
    states = re.findall(r'<tr class="due due--(\w+)">\s*<th scope="row">([^< ]+)', table)
    assert states == [("upcoming", "BAM"), ("due", "PHQ-9"), ("missed", "GAD-7"), ("done", "PHQ-9")]
    assert "PHQ-9 <span class=\"sub\">(intake)</span>" in table
    assert "started" in table and "Opens 20 Nov" in table and "Total <strong>7</strong>" in table


def test_the_scores_page_is_one_audited_read(answered, carol, carol_client):
    before = AuditEvent.objects.count()
    response = carol_client.get(f"/care/participants/{answered.pk}/questionnaires/")
    assert response.status_code == 200
    rows = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(r.action, r.resource, r.participant_id, r.actor_id) for r in rows] == [
        ("read", "scores", answered.pk, carol.user.pk)]


def test_a_person_without_answers_gets_a_plain_page(alice, now, carol_client):
    html = carol_client.get(f"/care/participants/{alice.pk}/questionnaires/").content.decode()
    assert "No questionnaire answered yet." in html and "No questionnaire planned yet." in html
    assert "score-chart" not in html


def test_the_care_page_has_a_block_of_latest_scores(answered, carol_client):
    html = carol_client.get(f"/care/participants/{answered.pk}/").content.decode()
    block = re.search(r'<section aria-labelledby="scores-heading".*?</section>', html, re.S).group(0)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block))
    assert "PHQ-9 12 Moderate Wed 4 Nov · −6 since intake (18) Reliable improvement" in text
    assert "GAD-7 9 Mild anxiety Wed 4 Nov · −3 since intake (12) BAM" in text
    assert "BAM Protective factors 9 12 or below Mon 16 Nov · −5 since intake (14) (higher is better)" in text
    assert f'href="/care/participants/{answered.pk}/questionnaires/"' in block


# -- the weekly summary


def test_the_weekly_summary_lists_the_weeks_questionnaires(alice, now, carol_client):
    # The week shown by default on a Wednesday: Mon 16 to Sun 22 Nov.
    done_q = data.questionnaire(alice, "phq9", dt.date(2026, 11, 16))
    data.complete(alice, "phq9", data.phq9_answers(16), at=days_ago(1), questionnaire=done_q)
    data.questionnaire(alice, "gad7", dt.date(2026, 11, 13), status=Questionnaire.Status.MISSED)   # closed Mon 16
    data.questionnaire(alice, "bam", dt.date(2026, 11, 18))   # open now
    data.questionnaire(alice, "gad7", dt.date(2026, 11, 2), status=Questionnaire.Status.MISSED)   # an older week
    html = carol_client.get(f"/care/participants/{alice.pk}/summary/").content.decode()
    section = re.search(r'<section aria-labelledby="s-questionnaires">.*?</section>', html, re.S).group(0)
    states = re.findall(r'<tr class="due due--(\w+)">\s*<th scope="row">([^<]+)', section)
    assert states == [("missed", "GAD-7"), ("done", "PHQ-9"), ("due", "BAM")]
    assert "Total <strong>16</strong>" in section and "Moderately severe" in section

    api = carol_client.get(f"/api/v1/care/participants/{alice.pk}/summary/").json()
    assert [(q["name"], q["state"]) for q in api["questionnaires"]] == [("GAD-7", "missed"), ("PHQ-9", "done"),
                                                                        ("BAM", "due")]
    assert api["questionnaires"][1]["scores"] == [{"key": "total", "name": "Total", "value": 16,
                                                   "band": "Moderately severe"}]
