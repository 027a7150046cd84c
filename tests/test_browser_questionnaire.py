"""Answering a questionnaire on a phone (Chromium at 360 x 740): one item per screen, Back and
Forward, stopping and coming back (also on another phone), a PHQ-9 answered without signal that
reaches the server once, and item 9 above 0 acting on the answer itself, without signal too."""

import uuid
from pathlib import Path

import pytest
from browsing import check_page, sign_in
from questionnaires import open_questionnaire, read_the_notice
from test_browser_accessibility import violations
from test_browser_pwa import outbox_count, wait_for_worker, wait_until
from test_browser_support import cached

from tracker import responses, services
from tracker.models import (
    Questionnaire,
    QuestionnaireResponse,
    SafetyAnswer,
    UrgentAlert,
)

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-answering")


@pytest.fixture
def due(alice):
    read_the_notice(alice)
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={
        "coping_alone": ["Cold water on my face"], "helpers": [{"name": "My sister Ana", "phone": "555-0101"}],
        "reasons": ["My kids"]})
    return open_questionnaire(alice)


def shot(page, name):
    check_page(page, f"questionnaire-{name}")  # no sideways scroll, thumb-sized controls, no CSP report
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def heading(page):
    return page.locator(".q-item:not([hidden]) .q-text")


def pick(page, text):
    """Tap an answer on the item shown (its whole row is the label)."""
    page.locator(".q-item:not([hidden]) .q-choice", has_text=text).first.click()


def answer_and_next(page, text, count=1):
    for _ in range(count):
        pick(page, text)
        page.click(".q-next")


def focused_heading(page):
    return page.evaluate("document.activeElement.classList.contains('q-text') && document.activeElement.textContent")


def open_page(page, base, due):
    page.goto(f"{base}/questionnaires/{due.pk}/")
    heading(page).wait_for()


def test_one_item_a_screen_with_back_and_forward_keeping_the_answers(phone, live_server, due):
    base = live_server.url
    sign_in(phone, base, "alice", "alice-password-1")
    phone.locator(".card--questionnaire", has_text="A 2-minute check on how you’ve been").wait_for()
    shot(phone, "today-card")
    phone.click(".card--questionnaire >> text=Start")
    heading(phone).wait_for()
    assert phone.locator(".q-item:not([hidden])").count() == 1
    assert "1 of 9" in heading(phone).inner_text() and phone.locator(".q-stem").is_visible()
    shot(phone, "item")
    assert violations(phone) == []
    phone.click(".q-next")  # nothing picked: it says so and stays
    phone.locator(".q-item:not([hidden]) .error", has_text="Pick one answer to go on.").wait_for()
    answer_and_next(phone, "Several days")
    assert "2 of 9" in focused_heading(phone)  # focus moved to the new item's heading
    assert phone.locator(".q-stem").is_visible()  # the stem stays on every item screen
    answer_and_next(phone, "Nearly every day")
    pick(phone, "Not at all")
    assert "3 of 9" in heading(phone).inner_text()
    phone.click(".q-back")
    assert "2 of 9" in focused_heading(phone)
    assert phone.is_checked(".q-item:not([hidden]) input[value='3']")
    phone.go_back()  # the browser's own Back: one item further back (the page's Back was one step too)
    wait_until(phone, lambda: "3 of 9" in heading(phone).inner_text(), "the browser's Back to item 3")
    phone.go_back()
    wait_until(phone, lambda: "2 of 9" in heading(phone).inner_text(), "the browser's Back to item 2")
    phone.go_back()
    wait_until(phone, lambda: "1 of 9" in heading(phone).inner_text(), "the browser's Back to item 1")
    assert phone.is_checked(".q-item:not([hidden]) input[value='1']")
    phone.go_forward()
    wait_until(phone, lambda: "2 of 9" in heading(phone).inner_text(), "the browser's Forward")
    assert phone.is_checked(".q-item:not([hidden]) input[value='3']")
    # Keyboard: arrow keys move between the answers of the item shown.
    phone.focus(".q-item:not([hidden]) input[value='3']")
    phone.keyboard.press("ArrowUp")
    assert phone.is_checked(".q-item:not([hidden]) input[value='2']")


def test_stopping_and_coming_back_resumes_also_on_another_phone(phone, browser, live_server, plain_static, due):
    base = live_server.url
    sign_in(phone, base, "alice", "alice-password-1")
    open_page(phone, base, due)
    answer_and_next(phone, "More than half the days", 4)
    rid = phone.input_value("input[name=id]")
    assert rid == str(responses.response_id_for(due))
    wait_until(phone, lambda: QuestionnaireResponse.objects.filter(pk=rid).exists()
               and len(QuestionnaireResponse.objects.get(pk=rid).answers) == 4, "the draft of four answers")
    phone.click(".tabs >> text=Today")
    phone.locator(".card--questionnaire >> text=Continue").click()
    wait_until(phone, lambda: "5 of 9" in heading(phone).inner_text(), "the page to open where it was left")
    phone.click(".q-back")
    assert phone.is_checked(".q-item:not([hidden]) input[value='2']")
    draft = QuestionnaireResponse.objects.get()
    assert (draft.complete, draft.scores) == (False, {})

    other = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    try:
        second = other.new_page()
        sign_in(second, base, "alice", "alice-password-1")
        open_page(second, base, due)
        assert "5 of 9" in heading(second).inner_text()
        assert second.input_value("input[name=id]") == rid
        answer_and_next(second, "Not at all", 5)
        second.click("text=Send my answers")
        second.wait_for_url(f"{base}/questionnaires/{due.pk}/result/")
    finally:
        other.close()
    response = QuestionnaireResponse.objects.get()
    # 2 + 2 + 2 + 2 + 0 x 5 = 8, in 5-9.
    assert (response.pk, response.complete, response.scores) == (uuid.UUID(rid), True, {"total": 8})


def test_a_phq9_answered_without_signal_reaches_the_server_once(phone, live_server, due):
    base = live_server.url
    sign_in(phone, base, "alice", "alice-password-1")
    wait_for_worker(phone)
    wait_until(phone, lambda: cached(phone, f"/questionnaires/{due.pk}/", "Little interest or pleasure"),
               "the phone to keep the open questionnaire's page")
    phone.context.set_offline(True)
    try:
        phone.goto(base + "/")
        phone.click(".card--questionnaire >> text=Start")
        heading(phone).wait_for()
        answer_and_next(phone, "Several days", 7)
        answer_and_next(phone, "Not at all", 2)
        pick(phone, "Somewhat difficult")
        phone.click("text=Send my answers")
        phone.locator(".q-saved-waiting", has_text="Your answers are saved on this phone").wait_for()
        assert QuestionnaireResponse.objects.count() == 0
        assert outbox_count(phone) == 1  # the drafts gave way to the finished answers, under one id
    finally:
        phone.context.set_offline(False)  # "online": the page sends the outbox
    phone.locator(".q-saved-sent", has_text="Your answers reached Steady.").wait_for()
    wait_until(phone, lambda: outbox_count(phone) == 0, "the outbox to empty")
    response = QuestionnaireResponse.objects.get()
    # 1 x 7 + 0 + 0 = 7, "Mild"; the difficulty question is kept, not scored.
    assert (response.complete, response.scores, response.bands) == (True, {"total": 7}, {"total": "Mild"})
    assert response.answers["difficulty"] == 1
    assert Questionnaire.objects.get().status == Questionnaire.Status.DONE
    phone.click("text=See your score")
    phone.locator("text=Your score was 7 out of 27: in the range called Mild. Lower is better.").wait_for()
    shot(phone, "result")
    assert violations(phone) == []
    assert QuestionnaireResponse.objects.count() == 1 and SafetyAnswer.objects.count() == 0


def test_item_9_above_0_without_signal_shows_the_plan_and_is_sent_once_when_back(phone, live_server, due, alice):
    base = live_server.url
    sign_in(phone, base, "alice", "alice-password-1")
    wait_for_worker(phone)
    wait_until(phone, lambda: cached(phone, f"/questionnaires/{due.pk}/", "My sister Ana"),
               "the phone to keep the questionnaire with the safety plan")
    phone.context.set_offline(True)
    try:
        phone.goto(f"{base}/questionnaires/{due.pk}/")
        heading(phone).wait_for()
        answer_and_next(phone, "Not at all", 8)
        pick(phone, "More than half the days")  # item 9, and no Next: the answer itself acts
        help_ = phone.locator("#q-safety")
        help_.wait_for()
        links = help_.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert links[:2] == ["tel:988", "sms:988"]  # the 988 buttons first
        text = help_.inner_text()
        assert "If you might act on these thoughts, call or text 988 now, or 911." in text
        assert "Your care team will see this" in text and "My sister Ana" in text and "Cold water on my face" in text
        help_.locator(".q-safety-status", has_text="Not sent yet. It will go to your care team as soon as you have "
                                                   "signal.").wait_for()
        shot(phone, "item-9")
        assert SafetyAnswer.objects.count() == 0
    finally:
        phone.context.set_offline(False)
    phone.locator("#q-safety .q-safety-status", has_text="Sent to your care team.").wait_for()
    answer = SafetyAnswer.objects.get()
    rid = responses.response_id_for(due)
    assert (answer.pk, answer.response_id, answer.item, answer.value) == (responses.safety_answer_id(rid, "9"), rid,
                                                                          "9", 2)
    assert UrgentAlert.objects.filter(participant=alice).count() == 1
    assert violations(phone) == []
    pick(phone, "Nearly every day")  # another answer above 0: the same answer, sent again
    wait_until(phone, lambda: SafetyAnswer.objects.get().value == 3, "the new value to arrive")
    pick(phone, "Not at all")  # back to 0: what was sent stays
    phone.click("text=Continue the questionnaire")
    wait_until(phone, lambda: "One more question" in heading(phone).inner_text(), "the closing question")
    assert (SafetyAnswer.objects.count(), SafetyAnswer.objects.get().value) == (1, 3)
    assert UrgentAlert.objects.filter(participant=alice).count() == 1


def test_the_notice_page_before_the_first_questionnaire_is_axe_clean(phone, live_server, alice):
    due = open_questionnaire(alice)
    sign_in(phone, live_server.url, "alice", "alice-password-1")
    phone.goto(f"{live_server.url}/questionnaires/{due.pk}/")
    phone.locator("text=I’ve read this").wait_for()
    assert violations(phone) == []
    phone.click("text=I’ve read this")
    heading(phone).wait_for()
    assert "1 of 9" in heading(phone).inner_text()
