"""The questionnaire pages without script: Today's card, the notice first, one form with every
item, the result in plain words with its chart, the help under item 9, and only your own."""

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.templatetags.static import static
from questionnaires import open_questionnaire, phq9, read_the_notice

from tracker import accounts, responses, services
from tracker.models import (
    NoticeAcknowledgement,
    Program,
    Questionnaire,
    QuestionnaireResponse,
    SafetyAnswer,
)
from tracker.web import charts


@pytest.fixture
def due(alice, now):
    return open_questionnaire(read_the_notice(alice))


def page(client, questionnaire, suffix=""):
    return client.get(f"/questionnaires/{questionnaire.pk}/{suffix}")


def send(client, questionnaire, answers, action="complete", response_id=None):
    data = {f"answer-{key}": value for key, value in answers.items()}
    data.update(action=action, version="1", id=str(response_id or responses.response_id_for(questionnaire)))
    return client.post(f"/questionnaires/{questionnaire.pk}/", data)


def checked(html):
    """{item key: value} of the radios checked in a page."""
    return {m[0]: int(m[1]) for m in re.findall(r'name="answer-(\w+)" value="(\d+)" checked', html)}


def test_today_has_a_card_for_each_open_questionnaire(alice_client, alice, due, now):
    open_questionnaire(alice, "gad7", opened_hours_ago=80)  # its window closed
    html = alice_client.get("/").text
    assert html.count("A 2-minute check on how you’ve been") == 1
    assert f'href="/questionnaires/{due.pk}/">Start<span class="visually-hidden"> PHQ-9</span>' in html
    assert "PHQ-9, open until Saturday at 11:00" in html  # opened an hour ago (11:00), three days
    send(alice_client, due, {"1": 2}, action="draft")
    assert ">Continue<" in alice_client.get("/").text


def test_the_notice_comes_first_and_one_tap_acknowledges_it(alice_client, alice, now):
    due = open_questionnaire(alice)
    first = page(alice_client, due).text
    assert "Before you start: who sees what" in first and "I’ve read this" in first
    assert "they see your answers and scores" in first and 'name="answer-1"' not in first
    done = alice_client.post(f"/questionnaires/{due.pk}/", {"action": "acknowledge"})
    assert done.status_code == 302 and done["Location"] == f"/questionnaires/{due.pk}/"
    assert NoticeAcknowledgement.objects.get(user=alice.user).version == accounts.NOTICE_VERSION
    assert 'name="answer-1"' in page(alice_client, due).text


def test_without_script_the_page_is_one_form_with_every_item_and_the_stem(alice_client, due):
    html = page(alice_client, due).text
    assert html.count('class="q-item') == 10  # nine items and the difficulty question
    assert "Over the last 2 weeks, how often have you been bothered by any of the following problems?" in html
    assert "3 of 9" in html and "One more question, not scored" in html
    assert "Thoughts that you would be better off dead or of hurting yourself in some way" in html
    assert html.count('<span>More than half the days</span>') == 9
    assert f'name="id" value="{responses.response_id_for(due)}"' in html
    assert f'data-safety-id="{responses.safety_answer_id(responses.response_id_for(due), "9")}"' in html
    assert 'id="q-safety"' in html and re.search(r'id="q-safety" aria-labelledby="q-safety-heading" hidden', html)


def test_sending_every_answer_shows_the_score_in_plain_words(alice_client, due):
    sent = send(alice_client, due, phq9() | {"difficulty": 1})
    assert sent.status_code == 302 and sent["Location"] == f"/questionnaires/{due.pk}/result/"
    html = alice_client.get(sent["Location"]).text
    # 1 x 7 + 0 + 0 = 7 of 27, in 5-9.
    assert "Your score was 7 out of 27: in the range called Mild. Lower is better." in html
    assert "A score is not a diagnosis." in html
    assert "<td>7 (Mild)</td>" in html and 'class="chart m-phq9"' in html
    assert "Mild: 5–9" in html and "Severe: 20–27" in html  # the bands, named
    assert "You don’t have to carry this alone" not in html
    assert QuestionnaireResponse.objects.get().answers["difficulty"] == 1
    assert page(alice_client, due)["Location"] == f"/questionnaires/{due.pk}/result/"  # done: its result


def test_a_missing_answer_is_named_by_its_item_and_the_others_are_kept(alice_client, due):
    answers = {k: v for k, v in phq9(i1=3).items() if k != "5"}
    refused = send(alice_client, due, answers)
    assert refused.status_code == 400
    html = refused.text
    assert re.search(r'id="q-error-5">Item 5 of the PHQ-9 is not answered\.', html)
    assert 'href="#q-item-5">Question 5: Item 5 of the PHQ-9 is not answered.' in html
    assert checked(html) == answers
    assert not QuestionnaireResponse.objects.exists()


def test_finish_later_keeps_a_draft_to_come_back_to(alice_client, due):
    kept = send(alice_client, due, {"1": 2, "2": 1}, action="draft")
    assert kept.status_code == 302 and kept["Location"] == "/"
    assert "Your answers are kept. Come back to finish before Saturday at 11:00." in alice_client.get("/").text
    draft = QuestionnaireResponse.objects.get()
    assert (draft.complete, draft.scores, draft.pk) == (False, {}, responses.response_id_for(due))
    assert checked(page(alice_client, due).text) == {"1": 2, "2": 1}


def test_item_9_above_0_without_script_sends_the_answer_and_shows_the_help(alice_client, alice, due):
    alice_client.get("/")
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user,
                              data={"helpers": [{"name": "My sister Ana", "phone": "555-0101"}]})
    kept = send(alice_client, due, {"1": 1, "9": 1}, action="draft")
    assert kept["Location"] == f"/questionnaires/{due.pk}/#q-safety"
    answer = SafetyAnswer.objects.get()
    assert (answer.pk, answer.value) == (responses.safety_answer_id(responses.response_id_for(due), "9"), 1)
    html = page(alice_client, due).text
    section = html[html.index('id="q-safety"'):html.index('class="button q-continue"')]
    assert " hidden" not in section.split(">")[0]
    assert section.index('href="tel:988"') < section.index("My sister Ana")  # 988 first, then the plan
    # Wednesday noon in New York, office hours 9:00-17:00: the team is at work now.
    assert ("Your care team will see this by today at 12:00. If you might act on these thoughts, call or text "
            "988 now, or 911.") in re.sub(r"<[^>]+>", "", section)
    assert "Sent to your care team." in section


def test_the_words_say_when_the_team_is_next_at_work(alice, now):
    assert responses.team_sees(alice).words == "Your care team will see this by today at 12:00."
    with time_machine.travel(dt.datetime(2026, 11, 18, 23, 30, tzinfo=dt.UTC), tick=False):  # Wed 18:30
        assert responses.team_sees(alice).words == "Your care team will see this by tomorrow at 9:00."
    with time_machine.travel(dt.datetime(2026, 11, 21, 15, 0, tzinfo=dt.UTC), tick=False):  # Sat 10:00
        seen = responses.team_sees(alice)
        assert seen.words == "Your care team will see this by Monday at 9:00."
        assert seen.until == dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)  # then the words would be past
    Program.objects.filter(pk=alice.program_id).update(office_weekdays=[])
    alice.program.refresh_from_db()
    assert responses.team_sees(alice).words == "Your care team will see this when they are next at work."


def test_the_result_of_a_bam_says_its_three_scores(alice_client, alice, now):
    Program.objects.filter(pk=alice.program_id).update(bam_terms_confirmed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    bam = open_questionnaire(read_the_notice(alice), "bam")
    answers = {key: 0 for key in ("1", "2", "3", "4", "5", "6", "7a", "7b", "7c", "7d", "7e", "7f", "7g", "8", "9",
                                  "10", "11", "12", "13", "15", "16", "17")} | {"14": 4, "4": 2, "9": 3, "13": 4}
    assert send(alice_client, bam, answers).status_code == 302
    html = page(alice_client, bam, "result/").text
    # Use: items 4-6 = 2; risk: items 1, 2, 3, 8, 11, 15 = 0; protective: 9, 10, 12, 13, 14, 16 = 3+4+4 = 11.
    assert "Use: 2 out of 12, in the range called Use reported. Lower is better." in html
    assert "Risk factors: 0 out of 24, in the range called Below 12. Lower is better." in html
    assert "Protective factors: 11 out of 24, in the range called 12 or below. Higher is better." in html
    assert html.count('class="chart m-bam"') == 3
    assert "None reported: 0<" in html and "Use reported: 1–12" in html


def test_a_closed_questionnaire_says_so_kindly(alice_client, alice, now):
    late = open_questionnaire(read_the_notice(alice), opened_hours_ago=80, status=Questionnaire.Status.MISSED)
    html = page(alice_client, late).text
    assert "This check has closed" in html and 'name="answer-1"' not in html


def test_someone_elses_questionnaire_is_not_found(alice_client, due, bob, now):
    bobs = open_questionnaire(read_the_notice(bob))
    for suffix in ("", "result/"):
        theirs, missing = page(alice_client, bobs, suffix), alice_client.get(f"/questionnaires/{10**9}/{suffix}")
        assert theirs.status_code == missing.status_code == 404
    assert send(alice_client, bobs, phq9()).status_code == 404
    assert not QuestionnaireResponse.objects.exists()


def test_the_score_charts_axes_stop_at_the_bands_edges():
    phq, bam = (d.scores for d in (responses.instruments.PHQ9, responses.instruments.BAM))
    assert charts._score_ticks(phq[0]) == [0, 5, 10, 15, 20, 27]
    assert [charts._score_ticks(score) for score in bam] == [[0, 12], [0, 12, 24], [0, 13, 24]]


def test_the_service_worker_keeps_the_open_questionnaires_and_their_script(client):
    worker = client.get("/sw.js").text
    assert '"/api/v1/questionnaires/"' in worker and "/questionnaires/${Number(questionnaire.id)}/" in worker
    assert static("js/questionnaire.js") in worker
