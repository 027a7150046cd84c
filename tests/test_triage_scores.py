"""The caseload's questionnaire flags and latest scores (issue 17): a PHQ-9 of 15 or more, a BAM
risk score up by the program's setting, a questionnaire missed in the last 7 days, each
acknowledged per event; the latest scores on the caseload page and in its API; and the same
number of queries however many people have answered. "now" is Wednesday 18 November 2026,
12:00 in New York (alice's zone)."""

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import measures_data as data
from people import NOW, make_user
from signin import verified_login
from tracker import services, triage
from tracker.models import Counselor, Participant, Questionnaire

SCORE_FLAGS = ("phq9_high", "bam_risk_up", "questionnaire_missed")


def flags(p):
    return {flag.key: flag for flag in triage.caseload([Participant.objects.get(pk=p.pk)])[0].flags
            if flag.key in SCORE_FLAGS}


def ago(**delta):
    return NOW - dt.timedelta(**delta)


def test_the_flags_have_labels_weights_and_a_level():
    for key in SCORE_FLAGS:
        assert key in triage.LABELS and key in triage.WEIGHTS
        assert triage.SEVERITY[key] == "attention"
    # Above every other attention flag, below the urgent ones; a missed questionnaire weighs little.
    attention = [triage.WEIGHTS[k] for k, level in triage.SEVERITY.items() if level == "attention" and k != "phq9_high"]
    assert triage.WEIGHTS["phq9_high"] > max(attention)
    assert triage.WEIGHTS["questionnaire_missed"] == 1


# -- PHQ-9 of 15 or more


@pytest.mark.parametrize(("total", "flagged"), [(14, False), (15, True), (27, True)])
def test_phq9_high_from_15(alice, now, total, flagged):
    response = data.phq9(alice, total, at=ago(days=1))
    found = flags(alice)
    assert ("phq9_high" in found) is flagged
    if flagged:
        assert found["phq9_high"].evidence == f"response:{response.pk}"
        assert found["phq9_high"].text.startswith(f"PHQ-9 of {total} (")


def test_the_phq9_flag_names_its_band_in_the_reader_s_language(alice, now):
    data.phq9(alice, 17, at=ago(days=1))
    with translation.override("es"):
        text = flags(alice)["phq9_high"].text
    assert text.startswith("PHQ-9 de 17 (Moderadamente grave)"), text


def test_only_the_latest_phq9_counts(alice, now):
    data.phq9(alice, 20, at=ago(days=15), intake=True)
    data.phq9(alice, 9, at=ago(days=1))
    assert flags(alice) == {}
    data.draft(alice, "phq9", data.phq9_answers(24), at=ago(hours=1))   # a draft is never scored
    assert flags(alice) == {}


def test_an_acknowledged_phq9_flag_opens_again_with_the_next_response(alice, carol, now):
    first = data.phq9(alice, 17, at=ago(days=14))
    client = verified_login(Client(), carol.user)
    response = client.post(f"/api/v1/care/participants/{alice.pk}/acknowledgements/", {
        "flag": "phq9_high", "evidence": f"response:{first.pk}", "note": "Talked it through"},
        content_type="application/json")
    assert response.status_code == 201 and response.json()["acknowledged"] is True
    shown = flags(alice)["phq9_high"]
    assert shown.acknowledgement.note == "Talked it through" and shown.weight == pytest.approx(0.5)
    # A new PHQ-9, still 15 or more: a new event, counted in full again.
    second = data.phq9(alice, 16, at=ago(days=1))
    again = flags(alice)["phq9_high"]
    assert again.evidence == f"response:{second.pk}" and again.acknowledgement is None and again.weight == 5


# -- BAM risk score up by the program's setting (3 by default)


@pytest.mark.parametrize(("before", "after", "flagged"), [(10, 13, True), (10, 12, False), (10, 9, False),
                                                          (0, 24, True)])
def test_bam_risk_up_by_the_setting(alice, now, before, after, flagged):
    data.bam(alice, at=ago(days=30), intake=True, risk=before)
    newest = data.bam(alice, at=ago(days=1), risk=after)
    found = flags(alice)
    assert ("bam_risk_up" in found) is flagged
    if flagged:
        assert found["bam_risk_up"].evidence == f"response:{newest.pk}"
        assert f"up by {after - before}, from {before} to {after}" in found["bam_risk_up"].text


def test_the_bam_rise_is_a_program_setting(alice, program, now):
    data.bam(alice, at=ago(days=30), intake=True, risk=6)
    data.bam(alice, at=ago(days=1), risk=11)   # up 5
    program.bam_risk_rise = 6
    program.save()
    assert "bam_risk_up" not in flags(alice)
    program.bam_risk_rise = 5
    program.save()
    assert "flags a rise of 5 or more" in flags(alice)["bam_risk_up"].text


def test_a_single_bam_has_nothing_to_rise_from(alice, now):
    data.bam(alice, at=ago(days=1), risk=24, use=12)
    # BAM use above 0 is another flag's ("Use reported"); no bam_use flag here.
    assert flags(alice) == {}


def test_bam_risk_compares_the_last_two_only(alice, now):
    data.bam(alice, at=ago(days=60), intake=True, risk=2)
    data.bam(alice, at=ago(days=30), risk=12)
    data.bam(alice, at=ago(days=1), risk=13)   # up 1 from the last, 11 from the first
    assert flags(alice) == {}


# -- a questionnaire missed in the last 7 days


@pytest.mark.parametrize(("closed", "flagged"), [(dt.timedelta(days=7) - dt.timedelta(minutes=1), True),
                                                 (dt.timedelta(days=7), False), (dt.timedelta(hours=1), True),
                                                 (-dt.timedelta(hours=1), False)])
def test_questionnaire_missed_in_the_last_7_days(alice, now, closed, flagged):
    q = data.questionnaire(alice, "gad7", dt.date(2026, 11, 1), status=Questionnaire.Status.MISSED)
    Questionnaire.objects.filter(pk=q.pk).update(closes_at=NOW - closed)
    found = flags(alice)
    assert ("questionnaire_missed" in found) is flagged
    if flagged:
        assert found["questionnaire_missed"].evidence == f"questionnaire:{q.pk}"
        assert found["questionnaire_missed"].text.startswith("GAD-7 due Sun 1 Nov was not answered")


def test_an_open_or_done_questionnaire_is_not_missed(alice, now):
    data.questionnaire(alice, "gad7", dt.date(2026, 11, 14))   # open, its window past: not yet swept
    data.phq9(alice, 3, at=ago(days=2))
    assert flags(alice) == {}


def test_acknowledging_a_missed_questionnaire_holds_for_that_one(alice, carol, now):
    first = data.questionnaire(alice, "gad7", dt.date(2026, 11, 12), status=Questionnaire.Status.MISSED)
    client = verified_login(Client(), carol.user)
    response = client.post(f"/care/participants/{alice.pk}/acknowledge/", {
        "flag": "questionnaire_missed", "evidence": f"questionnaire:{first.pk}", "next": "/care/"})
    assert response.status_code == 302
    assert flags(alice)["questionnaire_missed"].acknowledgement is not None
    second = data.questionnaire(alice, "phq9", dt.date(2026, 11, 13), status=Questionnaire.Status.MISSED)
    shown = flags(alice)["questionnaire_missed"]
    assert shown.evidence == f"questionnaire:{second.pk}" and shown.acknowledgement is None
    assert shown.text.endswith("2 missed in 7 days.")


# -- the caseload


def test_the_caseload_shows_the_latest_scores_with_their_bands(alice, bob, carol_client, now):
    data.phq9(alice, 18, at=ago(days=15), intake=True)
    data.phq9(alice, 12, at=ago(days=1))
    data.gad7(alice, 6, at=ago(days=1))
    data.bam(alice, at=ago(days=3), use=0, risk=14, protective=10)
    html = carol_client.get("/care/").content.decode()
    row = re.search(rf'<tr data-participant="{alice.pk}">.*?</tr>', html, re.S).group(0)
    cell = re.search(r'<td class="case-table__scores">(.*?)</td>', row, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
    # At a desk each chip shows its number (the band's words in its title and for screen readers).
    assert text == ("PHQ-9 12 (Moderate) 17 Nov GAD-7 6 (Mild anxiety) 17 Nov "
                    "BAM Use 0 (None reported) Risk 14 (12 or more) Protective 10 (12 or below) 15 Nov")
    assert '<span class="band-chip sev-2" title="Moderate">12<span class="visually-hidden"> (Moderate)</span>' in cell
    assert '<span class="band-chip sev-4" title="12 or more">14<span class="visually-hidden"> (12 or more)' in cell
    # On a card (a phone) a one-score instrument's chip says its band in words; the BAM's numbers tell theirs.
    card = re.search(rf'<a href="/care/participants/{alice.pk}/">alice</a>.*?</li>\s*</ul>', html, re.S).group(0)
    card_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card))
    assert "PHQ-9 12 Moderate 17 Nov" in card_text and "Risk 14 (12 or more)" in card_text
    # bob has answered nothing.
    bobs = re.search(rf'<tr data-participant="{bob.pk}">.*?</tr>', html, re.S).group(0)
    assert "No scores yet" in bobs
    api = {row["participant_id"]: row for row in carol_client.get("/api/v1/care/caseload/").json()}
    assert [(s["instrument"], [(p["key"], p["value"], p["band"]) for p in s["scores"]])
            for s in api[alice.pk]["latest_scores"]] == [
        ("phq9", [("total", 12, "Moderate")]), ("gad7", [("total", 6, "Mild anxiety")]),
        ("bam", [("use", 0, "None reported"), ("risk", 14, "12 or more"), ("protective", 10, "12 or below")])]
    assert api[bob.pk]["latest_scores"] == []


def test_the_same_number_of_queries_with_more_people_who_answered(program, now):
    counts = {}
    for size in (3, 12):
        counselor = Counselor.objects.create(user=make_user(f"c{size}"), program=program)
        for n in range(size):
            p = Participant.objects.create(user=make_user(f"p{size}-{n}"), program=program, time_zone="America/New_York")
            p.care_team.add(counselor)
            services.checkin_put(participant=p, id=uuid.uuid4(), data={"date": dt.date(2026, 11, 17), "stress": 2})
            data.phq9(p, 10 + n % 10, at=ago(days=15), intake=True)
            data.phq9(p, 5 + n % 20, at=ago(days=1))
            data.bam(p, at=ago(days=30), intake=True, risk=n % 10)
            data.bam(p, at=ago(days=2), risk=n % 13)
            data.questionnaire(p, "gad7", dt.date(2026, 11, 12), status=Questionnaire.Status.MISSED)
        client = verified_login(Client(), counselor.user)
        client.get("/care/")   # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/care/")
        assert response.content.decode().count('<td class="case-table__scores">') == size
        counts[size] = len(queries)
    assert counts[3] == counts[12], counts


def test_without_any_answers_the_desk_table_keeps_its_width(alice, bob, carol_client, now):
    # Nobody has answered a questionnaire: no scores column at a desk (each card still says so).
    html = carol_client.get("/care/").content.decode()
    table = re.search(r'<table class="case-table">.*?</table>', html, re.S).group(0)
    assert "case-table__scores" not in table and "Latest scores" not in table
    assert html.count("No scores yet") == 2
