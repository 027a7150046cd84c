"""Issue 19's acceptance test: every page, the participant's and the counselor's and the public
ones, rendered in Spanish in Chromium with no English left on it, no sideways scroll, no clipped
button or tab, `lang="es"` and axe clean.

Each page is read twice, as the person reads it in English and in Spanish (their own choice,
AccountState.language; the language cookie before signing in). A line of the Spanish page that is
also a line of the English one and has a word in it is an English leftover, unless it is made
only of what people typed or are called (seeded below), numbers, dates, codes (PHQ-9, 988, URLs,
audit action codes), "Steady", and the few words that are the same in both languages (SAME_WORDS).

The data is seeded once for the module (the live server's tests here share it; it is flushed at
the end, as transactional_db does after each test) and one browser serves every page: participants
at 360 x 800, counselors at 360 and 1280. test_every_page_route_is_listed walks the URL resolver, so
a new page is read here or excluded with its reason.

With STEADY_LEFTOVERS=<file>, the leftovers found are also written to that file, page by page,
with the files each line may come from (found by grep), for whoever fixes them.
"""

import datetime as dt
import os
import re
import uuid
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import measures_data as data
import pytest
from browsing import PAGES, care_pages, give_entries, open_records
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import override_settings
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from groups import join, make_group, mark, session_at
from people import admitted, make_user
from questionnaires import open_questionnaire, read_the_notice
from routes import every_route
from signin import current_code, totp_device
from test_browser_accessibility import AXE, TAGS

from tracker import accounts, dates, episodes, measures, services
from tracker.models import (
    AbsenceNotice,
    AftercarePlan,
    Attendance,
    Checkup,
    Counselor,
    Group,
    GroupSession,
    Invitation,
    Medication,
    Participant,
    Program,
)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
PHONE, DESK = {"width": 360, "height": 800}, {"width": 1280, "height": 800}

# What people typed in the seed (alice's entries in tests/browsing.py give_entries, and below):
# their own words are never translated. Names of people, programs, groups, places and
# medications are read from the database after seeding (see `names`).
TYPED = [
    "Walked to the shop instead of driving past the bar", "Skipping meals", "My sister Ana",
    "Casey Morgan, counselor at the Riverside clinic", "My kids", "A new morning routine",
    "Mornings set up the whole day.", "Write down three urges and what helped", "Football, then groceries",
    "Saturday night was long", "Three check-ins", "Work", "Sleep by eleven", "Walked it off",
    # Below.
    "Evenings after work", "Coping with cravings", "Dr. Lee, Oak Street Clinic", "Dr. Lee", "12 Oak Street",
    "AA, Tuesdays 19:00 at St Mark's", "My sister Ana 555-0101", "Sponsor Joe 555-0102",
    "Weekly therapy with Dr. Lee; call the program if things get hard.", "Call my sponsor",
    "Taking it one day at a time",
]

# Words written the same in English and in Spanish, and so allowed on a Spanish page (each with why).
SAME_WORDS = {
    "steady",     # the product's name
    "english",    # the language switch names each language in itself: "English", "Español"
    "español",    # (the other way round, on the English page)
    "email",      # never alone in a sentence (the glossary), but a field may say "Email" beside "Correo"
    "no",         # "No" answers a yes/no question in both languages
    "total",      # a score's total
    "ok",
    "min",        # minutes, abbreviated alike ("30 min")
}

# Codes that stay as they are in every language.
CODES = re.compile(r"PHQ-9|GAD-7|\bBAM\b|\bIOP\b|\b988\b|\bTOTP\b|\bTTY\b|\bQR\b|\bCSV\b|\bJSON\b|\bAM\b|\bPM\b")
URLS = re.compile(r"(https?://|/)[\w./?=&%#:-]+|\S+@\S+")
ACTION_CODES = re.compile(r"\b\w+(?:[._]\w+)+\b")  # audit actions, API field names: checkin.read, used_today
ZONES = zoneinfo.available_timezones()
WORD = re.compile(r"[^\W\d_]{2,}")

# Routes that are not pages to read, and why. The guard test fails on a route neither read nor here.
NOT_PAGES = {
    "language": "POST only: the language switch",
    "signout": "POST only",
    "talk": "POST only: \"I want to talk\" on Today",
    "task_done": "POST only",
    "care_task_done": "POST only",
    "care_acknowledge": "POST only: a flag acknowledged on the caseload",
    "care_huddle_task": "POST only: the huddle's practice task",
    "sign_out_everywhere": "POST only",
    "email_change": "POST only: the form is on Settings",
    "care_invitation_revoke": "POST only",
    "care_group_member_add": "POST only: the form is on the group's page",
    "care_group_session_add": "POST only: the form is on the group's page",
    "care_group_member_end": "POST only",
    "care_closure_add": "POST only: the form is on Program settings",
    "care_closure_remove": "POST only",
    "care_aftercare_acknowledge": "POST only: the form is on the Aftercare list",
    "checkups_stop": "POST only: the form is on My aftercare",
    "care_episode_admit": "POST only: the forms are on the episode page",
    "care_episode_level": "POST only: the forms are on the episode page",
    "care_episode_plan": "POST only: the forms are on the episode page",
    "care_episode_discharge": "POST only: the forms are on the episode page",
    "care_goal_review_date": "POST only: the form is on the reviews page",
    "healthz": "JSON for the load balancer",
    "manifest": "the web app manifest (JSON; its name is the product's)",
    "service-worker": "JavaScript",
    "my_data_download": "a download (JSON or CSV), not a page",
    "care_audit_csv": "a CSV download",
    "care_export_csv": "a CSV download",
    "care_export_json": "a JSON download",
    "care_program_csv": "a CSV download",
    "js_catalog": "JavaScript: the scripts' catalog",
    "json_catalog": "JSON: the service worker's catalog",
}
NOT_PAGES_PREFIXES = {
    "api/": "the API: JSON for the app and other clients (its messages are tested in test_language.py), "
            "and its schema and Swagger docs, a developer's tool",
    "admin/": "Django's admin: the operators' tool, in Django's own catalogs",
}


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # alice, erin (a participant in aftercare), carol (counselor, program admin), visitor
    path: str


# ----------------------------------------------------------------------------------------------
# The data every page needs, seeded once


@dataclass
class World:
    alice: Participant
    erin: Participant
    carol: Counselor
    group: Group
    today_session: GroupSession
    tomorrow_session: GroupSession
    past_session: GroupSession
    notice: AbsenceNotice
    questionnaire_open: object
    questionnaire_done: object
    checkup: Checkup
    medication: Medication
    entries: dict
    invitation_token: str
    reset_path: str
    names: list


def seed():
    program = Program.objects.create(name="Riverside IOP", time_zone="America/New_York", phone="555-010-2000",
                                     bam_terms_confirmed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    carol = Counselor.objects.create(user=make_user("carol", first_name="Carol"), program=program)
    totp_device(carol.user)
    alice = Participant.objects.create(user=make_user("alice"), program=program, time_zone="America/New_York")
    alice.care_team.add(carol)
    admitted(alice, carol)
    give_entries(alice)
    open_records(carol, alice)
    now = timezone.now()
    today = alice.local_today()
    read_the_notice(alice)
    services.high_risk_time_put(participant=alice, id=uuid.uuid4(), data={
        "label": "Evenings after work", "weekdays": [0, 1, 2, 3, 4], "start_time": dt.time(17), "end_time": dt.time(19)})
    medication = services.medication_put(participant=alice, id=uuid.uuid4(), data={
        "name": "Naltrexone", "times": ["08:00"]}).entry
    # Questionnaires: one open now, one answered (its result page), a history for the scores page.
    for weeks, total in ((6, 17), (4, 13), (2, 11)):
        data.phq9(alice, total, at=now - dt.timedelta(weeks=weeks, hours=3), intake=weeks == 6)
        data.gad7(alice, total - 3, at=now - dt.timedelta(weeks=weeks, hours=3), intake=weeks == 6)
    data.bam(alice, at=now - dt.timedelta(days=20), intake=True, use=1, risk=9, protective=15)
    done = data.phq9(alice, 9, at=now - dt.timedelta(hours=2)).questionnaire
    questionnaire = open_questionnaire(alice, "gad7")
    # A risky answer: an urgent notice, a flag on the caseload.
    services.safety_answer_put(participant=alice, id=uuid.uuid4(), data={
        "response_id": uuid.uuid4(), "instrument": "phq9", "version": "1", "item": "9", "value": 1,
        "answered_at": now - dt.timedelta(minutes=20)})
    # A group carol facilitates: a session two days ago, one under way, one tomorrow, one with a notice.
    group = make_group(program, place="Room 2")
    group.facilitators.add(carol)
    bob = Participant.objects.create(user=make_user("bob", first_name="Ben", last_name="Doe"), program=program)
    bob.care_team.add(carol)
    admitted(bob, carol)
    join(group, alice, bob)
    past = session_at(group, now - dt.timedelta(days=2))
    under_way = session_at(group, now - dt.timedelta(minutes=30), topic="Coping with cravings")
    tomorrow = session_at(group, now + dt.timedelta(days=1))
    later = session_at(group, now + dt.timedelta(days=3))
    mark(past, alice, Attendance.Status.PRESENT, by=carol.user)
    mark(past, bob, Attendance.Status.ABSENT, by=carol.user)
    mark(under_way, alice, Attendance.Status.PRESENT, by=carol.user)
    notice = AbsenceNotice.objects.create(participant=alice, session=later, reason="ride")
    # erin: discharged today, in aftercare with a plan, a check-up open now and one answered "talk".
    erin = Participant.objects.create(user=make_user("erin", first_name="Erin"), program=program,
                                      time_zone="America/New_York")
    erin.care_team.add(carol)
    admitted(erin, carol, on=today - dt.timedelta(days=60))
    totp_device(erin.user)  # two-step sign-in on: her page to turn it off
    episode = episodes.discharge(episode=erin.open_episode, discharged_on=today, discharge_type="completed")
    AftercarePlan.objects.create(
        episode=episode, next_provider="Dr. Lee, Oak Street Clinic", prescriber="Dr. Lee",
        first_appointment_at=now + dt.timedelta(days=6), first_appointment_place="12 Oak Street",
        meetings="AA, Tuesdays 19:00 at St Mark's", people="My sister Ana 555-0101\nSponsor Joe 555-0102",
        follow_up="Weekly therapy with Dr. Lee; call the program if things get hard.", checkups=True,
        checkups_until=dates.add_months(today, 6))
    checkups = []
    for back, status in ((0, "open"), (30, "done")):
        opens, closes = measures.window(today - dt.timedelta(days=back), erin.zone, 7)
        checkups.append(Checkup.objects.create(participant=erin, episode=episode, due_on=today - dt.timedelta(days=back),
                                               opens_at=opens, closes_at=closes, items=["4", "5", "6", "8", "9"],
                                               status=status))
    from tracker.models import CheckupAnswer

    CheckupAnswer.objects.create(participant=erin, checkup=checkups[1], answers={"4": 1, "5": 0, "6": 0, "8": 3, "9": 1},
                                 wants_talk=True, risky=True)
    _, token = accounts.invitation_create(program=program, role="participant", name="Dee", created_by=carol.user)
    accounts.invitation_create(program=program, role="counselor", name="Frank", created_by=carol.user)
    dana = make_user("dana")  # a visitor who forgot her password
    reset = reverse("password_reset_confirm", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(dana.pk)),
                                                      "token": default_token_generator.make_token(dana)})
    entries = {"checkin": alice.checkins.first(), "urge": alice.urges.first(), "reflection": alice.reflections.first(),
               "weekend": alice.weekend_plans.first(), "goal": alice.goals.first(), "task": alice.tasks.first(),
               "highrisk": alice.high_risk_times.first()}
    return World(alice=alice, erin=erin, carol=carol, group=group, today_session=under_way, tomorrow_session=tomorrow,
                 past_session=past, notice=notice, questionnaire_open=questionnaire, questionnaire_done=done,
                 checkup=checkups[0], medication=medication, entries=entries, invitation_token=token,
                 reset_path=reset, names=names())


def names():
    """What people are called, and what they named: kept as they are on a Spanish page."""
    found = set()
    for user in get_user_model().objects.all():
        found |= {user.username, user.first_name, user.last_name, user.get_full_name()}
    found |= set(Program.objects.values_list("name", flat=True))
    for group in Group.objects.all():
        found |= {group.name, group.place}
    found |= set(Medication.objects.values_list("name", flat=True))
    found |= set(Invitation.objects.values_list("name", flat=True))
    return sorted((n for n in found | set(TYPED) if n), key=len, reverse=True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            yield seed()
        finally:
            call_command("flush", verbosity=0, interactive=False)


@pytest.fixture
def transactional_db(world, django_db_blocker):
    """The live server's tests here read the module's data (pytest-django's own would empty the
    database after each test); `world` empties it after the last one."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="module")
def static_files():
    # The live server serves static files from the finders, which know no hashed names.
    from django.conf import settings

    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        yield


# ----------------------------------------------------------------------------------------------
# The pages


def participant_pages(w):
    entries = w.entries
    pages = [Page(name, "alice", path) for name, path in PAGES]
    for kind, entry in entries.items():
        pages += [Page(f"{kind}-edit", "alice", reverse(f"{kind}_edit", kwargs={"entry_id": entry.pk})),
                  Page(f"{kind}-delete", "alice", reverse(f"{kind}_delete", kwargs={"entry_id": entry.pk}))]
    med = {"entry_id": w.medication.pk}
    pages += [
        Page("help-signed-in", "alice", "/help/"),
        Page("safety-plan-version", "alice", reverse("safety_plan_version", kwargs={"number": 1})),
        Page("medications", "alice", reverse("medications")),
        Page("medication-new", "alice", reverse("medication_new")),
        Page("medication-edit", "alice", reverse("medication_edit", kwargs=med)),
        Page("medication-delete", "alice", reverse("medication_delete", kwargs=med)),
        Page("my-program", "alice", reverse("my_program")),
        Page("questionnaire", "alice", reverse("questionnaire", kwargs={"questionnaire_id": w.questionnaire_open.pk})),
        Page("questionnaire-result", "alice",
             reverse("questionnaire_result", kwargs={"questionnaire_id": w.questionnaire_done.pk})),
        Page("group-cant-make-it", "alice", reverse("notice_cant_make_it", kwargs={"session_id": w.tomorrow_session.pk})),
        Page("group-missed", "alice", reverse("notice_missed", kwargs={"session_id": w.past_session.pk})),
        Page("group-notice-done", "alice", reverse("notice_done", kwargs={"entry_id": w.notice.pk})),
        Page("password-change", "alice", reverse("password_change")),
        Page("email-link-invalid", "alice", reverse("email_confirm", kwargs={"token": "not-a-real-link"})),
        # erin, in aftercare.
        Page("aftercare-today", "erin", "/"),
        Page("my-aftercare", "erin", reverse("my_aftercare")),
        Page("checkup", "erin", reverse("checkup", kwargs={"checkup_id": w.checkup.pk})),
        Page("aftercare-settings", "erin", "/settings/"),
        Page("second-factor-off", "erin", reverse("second_factor_off")),
    ]
    return pages


def counselor_pages(w):
    alice = {"participant_id": w.alice.pk}
    erin = {"participant_id": w.erin.pk}
    session = {"session_id": w.today_session.pk}
    pages = [Page(name, "carol", path) for name, path in care_pages(w.alice)]
    pages += [
        Page("care-second-factor", "carol", reverse("second_factor")),
        Page("care-task-edit", "carol", reverse("care_task_edit", kwargs={**alice, "entry_id": w.entries["task"].pk})),
        Page("care-episode", "carol", reverse("care_episode", kwargs=alice)),
        Page("care-episode-discharged", "carol", reverse("care_episode", kwargs=erin)),
        Page("care-reviews", "carol", reverse("care_reviews", kwargs=alice)),
        Page("care-scores", "carol", reverse("care_scores", kwargs=alice)),
        Page("care-questionnaire-schedule", "carol", reverse("care_participant_questionnaires", kwargs=alice)),
        Page("care-medications", "carol", reverse("care_medications", kwargs=alice)),
        Page("care-medication-new", "carol", reverse("care_medication_new", kwargs=alice)),
        Page("care-medication-edit", "carol",
             reverse("care_medication_edit", kwargs={**alice, "entry_id": w.medication.pk})),
        Page("care-aftercare-plan", "carol", reverse("care_aftercare_plan", kwargs=erin)),
        Page("care-trends-discharged", "carol", reverse("care_participant", kwargs=erin)),
        Page("care-aftercare", "carol", reverse("care_aftercare")),
        Page("care-checkup-settings", "carol", reverse("care_checkup_settings")),
        Page("care-questionnaire-settings", "carol", reverse("care_questionnaire_settings")),
        Page("care-outcomes", "carol", reverse("care_program")),
        Page("care-groups", "carol", reverse("care_groups")),
        Page("care-group-new", "carol", reverse("care_group_new")),
        Page("care-group", "carol", reverse("care_group", kwargs={"group_id": w.group.pk})),
        Page("care-group-edit", "carol", reverse("care_group_edit", kwargs={"group_id": w.group.pk})),
        Page("care-session", "carol", reverse("care_session", kwargs=session)),
        Page("care-roll-today", "carol", reverse("care_roll_today")),
        Page("care-roll", "carol", reverse("care_roll", kwargs=session)),
        Page("care-huddle", "carol", reverse("care_huddle", kwargs=session)),
    ]
    return pages


def public_pages(w):
    return [Page("signin", "visitor", "/signin/"), Page("help", "visitor", "/help/"),
            Page("offline", "visitor", "/offline/"),
            Page("join", "visitor", reverse("join", kwargs={"token": w.invitation_token})),
            Page("join-invalid", "visitor", reverse("join", kwargs={"token": "not-a-real-token"})),
            Page("password-reset", "visitor", reverse("password_reset")),
            Page("password-reset-sent", "visitor", reverse("password_reset_done")),
            Page("password-reset-confirm", "visitor", w.reset_path),
            Page("password-reset-complete", "visitor", reverse("password_reset_complete"))]


def all_pages(w):
    return participant_pages(w) + counselor_pages(w) + public_pages(w)


def routes():
    """Every route of the site as (pattern, name)."""
    return [(pattern, name) for pattern, name, _ in every_route()]


def test_every_page_route_is_read_here_or_excluded_with_a_reason(world):
    read = {resolve(urlsplit(page.path).path).url_name for page in all_pages(world)}
    unread = [(pattern, name) for pattern, name in routes()
              if not pattern.startswith(tuple(NOT_PAGES_PREFIXES)) and name not in read and name not in NOT_PAGES]
    assert unread == [], "pages nobody reads in Spanish: add them to the lists above (or to NOT_PAGES, with why)"
    names = {name for _, name in routes()}
    assert [name for name in NOT_PAGES if name not in names or name in read] == [], "stale NOT_PAGES entries"


# ----------------------------------------------------------------------------------------------
# Reading a page


# Text inside an element marked lang="en" is not read: that is deliberate English, said so to the
# browser and to screen readers, and on the page with a note in Spanish (an instrument with no
# validated Spanish version, the BAM, is shown in English: issue 19). Only the explicit attribute
# on an element inside the body excuses text; <html lang="en"> is itself a finding (check_layout).
# The marked elements are hidden (visibility, which innerText skips and which keeps the layout)
# while the text is read, and put back at once.
READ_TEXT = """() => {
    const norm = s => (s || '').replace(/\\s+/g, ' ').trim();
    const english = [...document.body.querySelectorAll('[lang="en"]')];
    const styles = english.map(el => el.getAttribute('style'));
    english.forEach(el => el.style.setProperty('visibility', 'hidden', 'important'));
    const body = document.body.innerText;
    english.forEach((el, i) => styles[i] === null ? el.removeAttribute('style') : el.setAttribute('style', styles[i]));
    const out = [norm(document.title), ...body.split('\\n').map(norm)];
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], img[alt], input[type=submit], input[type=button]')) {
        if (el.closest('body [lang="en"]')) continue;
        for (const name of ['aria-label', 'placeholder', 'title', 'alt']) out.push(norm(el.getAttribute(name)));
        if (el.matches('input[type=submit], input[type=button]')) out.push(norm(el.value));
    }
    for (const el of document.querySelectorAll('svg title, svg desc')) out.push(norm(el.textContent));
    return out.filter(Boolean);
}"""

# The page fits: nothing scrolls sideways, and no button, tab or navigation item is cut off.
LAYOUT = """() => {
    const root = document.documentElement;
    const clipped = [...document.querySelectorAll('nav a, nav button, .tabs a, .tabs button, button, .button, a.chip, .chip')]
        .filter(el => el.offsetParent !== null && getComputedStyle(el).display !== 'inline')
        .filter(el => el.scrollWidth > el.clientWidth + 1)
        .map(el => el.textContent.replace(/\\s+/g, ' ').trim().slice(0, 50));
    // A word that runs onto a second line inside a tab or button ("Puntuaci-ones"): its letters
    // lie on two lines (the parts of "self-help" are words of their own). Visually hidden text is one pixel wide and left out.
    const broken = [...document.querySelectorAll('nav a, .tabs a, .care-tabs a, button, .button, a.chip, .chip')]
        .filter(el => el.offsetParent !== null)
        .filter(el => { const closed = el.closest('details:not([open])'); return !closed || closed.querySelector('summary').contains(el); })
        .flatMap(el => {
            const words = [];
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (node.parentElement.closest('.visually-hidden')) continue;
                for (const match of node.data.matchAll(/[^\\s\\u2010-\\u2014\\/-]+/g)) {  // a break after a hyphen, dash or slash is no break
                    const range = document.createRange();
                    range.setStart(node, match.index);
                    range.setEnd(node, match.index + match[0].length);
                    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
                    if (lines.size > 1) words.push(match[0]);
                }
            }
            return words;
        });
    return {lang: root.lang, wide: root.scrollWidth > root.clientWidth ? root.scrollWidth : 0, clipped, broken};
}"""


def sign_in(page, base, username, password, lands_on="/"):
    """browsing.sign_in, sending the form with Enter in its password field: the sign-in page's
    first submit button is now the language switch's."""
    page.goto(base + "/signin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: url == base + lands_on or "/account/2fa/" in url)
    if "/account/2fa/" in page.url:  # the second step, with the code their app would show
        page.fill("#id_code", current_code(totp_device(get_user_model().objects.get(username=username))))
        page.press("#id_code", "Enter")
    page.wait_for_url(base + lands_on)


def new_tab(browser, base, *, mobile):
    viewport = PHONE if mobile else DESK
    context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile, service_workers="block")
    page = context.new_page()
    page.base = base
    # A page that fetches what it shows is read once its requests are answered.
    page.pending = set()
    page.on("request", lambda r: r.resource_type in ("fetch", "xhr") and page.pending.add(r))
    page.on("requestfinished", lambda r: page.pending.discard(r))
    page.on("requestfailed", lambda r: page.pending.discard(r))
    return page


def visit(tab, path):
    response = tab.goto(tab.base + path)
    assert response is not None and response.status < 500, (path, response and response.status)
    if tab.pending:
        tab.wait_for_load_state("networkidle")
    return response


def read(tab):
    return tab.evaluate(READ_TEXT)


def violations(page):
    """test_browser_accessibility's check, asking axe for the violations alone (faster)."""
    page.evaluate(AXE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", TAGS)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def excused(line, keep):
    """Nothing is left of the line but names, typed words, numbers, codes and SAME_WORDS."""
    if line in ZONES:  # a time zone's name (America/New_York) in the time zone list
        return True
    rest = line
    for words in keep:
        rest = rest.replace(words, " ")
    rest = ACTION_CODES.sub(" ", URLS.sub(" ", CODES.sub(" ", rest)))
    return all(word.lower() in SAME_WORDS for word in WORD.findall(rest))


def leftovers(spanish, english, keep):
    english = set(english)
    return [line for line in dict.fromkeys(spanish) if line in english and not excused(line, keep)]


class Findings:
    """What each page got wrong, reported together at the end."""

    def __init__(self):
        self.english, self.other, self.keep = {}, {}, ()

    def check_layout(self, tab, name):
        layout = tab.evaluate(LAYOUT)
        if layout["lang"] != "es":
            self.other.setdefault(name, []).append(f'<html lang="{layout["lang"]}">')
        if layout["wide"]:
            self.other.setdefault(name, []).append(f"scrolls sideways ({layout['wide']}px)")
        if layout["clipped"]:
            self.other.setdefault(name, []).append(f"clipped: {layout['clipped']}")
        if layout["broken"]:
            self.other.setdefault(name, []).append(f"a word broken across lines: {layout['broken']}")

    def check_axe(self, tab, name):
        found = violations(tab)
        if found:
            self.other.setdefault(name, []).append(f"axe: {found}")

    def check_words(self, name, spanish, english, keep):
        self.keep = keep
        for line in leftovers(spanish, english, keep):
            if line not in self.english.setdefault(name, []):
                self.english[name].append(line)
        if not self.english.get(name):
            self.english.pop(name, None)

    def report(self):
        lines = []
        for name, found in self.english.items():
            lines += [f"{name}: English on the Spanish page:"] + [f"    {line}" for line in found]
        for name, found in self.other.items():
            lines += [f"{name}: {problem}" for problem in found]
        write_leftovers(self.english, self.keep)
        return "\n".join(lines)


def sources(line, corpus, keep=()):
    """Files the line may come from: its longest runs between numbers and marks, grepped as a
    whole string (between quotes or tags) first, then anywhere."""
    for words in keep:
        line = line.replace(words, "·")
    pieces = {p.strip(" .,:;·—-()") for p in re.split(r"\d+|·|—|\(|\)|“|”|\. ", line)}
    pieces = sorted((p for p in pieces if len(p) >= 4 and p.lower() not in SAME_WORDS), key=len, reverse=True)
    for piece in pieces[:3]:
        whole = re.compile(r"[\"'>]\s*" + re.escape(piece) + r"\s*[\"'<{]")
        for match in (whole.search, lambda text, piece=piece: piece in text):
            found = sorted(path for path, text in corpus.items() if match(text))
            if found:
                return found
    return []


def source_files():
    corpus = {}
    for folder, pattern in (("templates", "*.html"), ("templates", "*.js"), ("static/js", "*.js"),
                            ("tracker", "*.py")):
        for path in (ROOT / folder).rglob(pattern):
            if "migrations" not in path.parts and not path.name.startswith(("seed_demo", "_demo")):
                corpus[str(path.relative_to(ROOT))] = path.read_text(errors="ignore")
    return corpus


def write_leftovers(english, keep):
    target = os.environ.get("STEADY_LEFTOVERS")
    if not target:
        return
    path, corpus, memo = Path(target), source_files(), {}
    old = path.read_text() if path.exists() else ""
    blocks = {}
    name = None
    for row in old.splitlines():  # keep the other tests' pages; this test's replace theirs
        if row.startswith("    ") and name:
            blocks[name] += "\n" + row
        elif row.strip() and not row.startswith("#"):
            name = row.split(" ")[0]
            blocks[name] = row
    for name, found in english.items():
        lines = [f"{name} (English lines on the Spanish page)"]  # one block a page
        for line in found:
            if line not in memo:
                memo[line] = ", ".join(sources(line, corpus, keep)[:6]) or "?"
            lines.append(f"    {line!r}    <- {memo[line]}")
        blocks[name] = "\n".join(lines)
    by_file = {}
    for block in blocks.values():
        for row in block.splitlines()[1:]:
            for file in row.rpartition("<- ")[2].split(", "):
                by_file[file] = by_file.get(file, 0) + 1
    summary = ["# English lines on Spanish pages, by the file they may come from (a line counts once a page)"]
    summary += [f"#   {count:4}  {file}" for file, count in sorted(by_file.items(), key=lambda item: -item[1])]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(summary) + "\n\n" + "\n\n".join(blocks.values()) + "\n")


def read_all(tab, pages, widths=(None,)):
    """{(page name, width): lines} for each page, in the person's language at the time."""
    texts = {}
    for page in pages:
        visit(tab, page.path)
        for width in widths:
            if width:
                tab.set_viewport_size({**DESK, "width": width})
            texts[page.name, width] = read(tab)
    return texts


def check_all(tab, pages, english, findings, keep, widths=(None,)):
    for page in pages:
        visit(tab, page.path)
        for width in widths:
            if width:
                tab.set_viewport_size({**DESK, "width": width})
            label = page.name if width is None else f"{page.name}@{width}"
            all_english = [line for w in widths for line in english[page.name, w]]
            findings.check_words(page.name, read(tab), all_english, keep)
            findings.check_layout(tab, label)
            if width in (None, PHONE["width"]):  # axe once a page, at phone width (the other tests run it at 1280)
                findings.check_axe(tab, label)


@pytest.fixture(scope="module")
def server(world, static_files, live_server):
    return live_server.url


def test_the_participants_pages_in_spanish(browser, server, world):
    findings = Findings()
    pages = participant_pages(world)
    for who, person in (("alice", world.alice), ("erin", world.erin)):
        mine = [page for page in pages if page.who == who]
        tab = new_tab(browser, server, mobile=True)
        try:
            accounts.set_language(person.user, "en")
            sign_in(tab, server, who, f"{who}-password-1")
            english = read_all(tab, mine)
            accounts.set_language(person.user, "es")
            check_all(tab, mine, english, findings, world.names)
        finally:
            tab.context.close()
    assert not (findings.english or findings.other), findings.report()


def test_the_counselors_pages_in_spanish_at_360_and_1280(browser, server, world):
    findings = Findings()
    pages = counselor_pages(world)
    tab = new_tab(browser, server, mobile=False)
    try:
        accounts.set_language(world.carol.user, "en")
        sign_in(tab, server, "carol", "carol-password-1", lands_on="/care/")
        english = read_all(tab, pages, widths=(DESK["width"], PHONE["width"]))
        accounts.set_language(world.carol.user, "es")
        check_all(tab, pages, english, findings, world.names, widths=(DESK["width"], PHONE["width"]))
    finally:
        tab.context.close()
        accounts.set_language(world.carol.user, "en")
    assert not (findings.english or findings.other), findings.report()


def test_the_public_pages_in_spanish(browser, server, world):
    from django.conf import settings

    findings = Findings()
    pages = public_pages(world)
    tab = new_tab(browser, server, mobile=True)
    try:
        def choose(language):
            tab.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server}])

        choose("en")
        english = read_all(tab, pages)
        choose("es")
        check_all(tab, pages, english, findings, world.names)
    finally:
        tab.context.close()
    assert not (findings.english or findings.other), findings.report()


def test_the_checks_find_english_a_wide_page_and_the_wrong_lang(browser, server, world):
    """The checks can fail: an English line put on a Spanish page, a page wider than the phone, a
    button cut off and lang="en" are each found; names, typed words and English inside an element
    marked lang="en" are not."""
    tab = new_tab(browser, server, mobile=True)
    try:
        accounts.set_language(world.alice.user, "en")
        sign_in(tab, server, "alice", "alice-password-1")
        visit(tab, "/help/")
        english = read(tab)
        accounts.set_language(world.alice.user, "es")
        visit(tab, "/help/")
        spanish = read(tab)
        line = "Save this page and come back to it later"  # an English sentence put on the Spanish page
        english.append(line)
        assert line not in spanish
        tab.evaluate("""line => {
            const main = document.querySelector('main');
            main.append(Object.assign(document.createElement('p'), {textContent: line}));
            main.append(Object.assign(document.createElement('p'), {textContent: 'Walked it off'}));
            // Deliberate English, marked lang="en" (an instrument shown in English): excused.
            main.append(Object.assign(document.createElement('p'), {lang: 'en', textContent: 'Extremely (4)'}));
            main.append(Object.assign(document.createElement('div'), {style: 'width: 900px', textContent: 'x'}));
            main.append(Object.assign(document.createElement('button'), {
                style: 'width: 40px; white-space: nowrap; overflow: hidden', textContent: 'Un botón demasiado largo'}));
            // A tab too narrow for its word, which the page's overflow-wrap breaks inside.
            main.append(Object.assign(document.createElement('a'), {
                className: 'chip', href: '#', style: 'display: block; width: 60px', textContent: 'Puntuaciones'}));
            document.documentElement.lang = 'en';
        }""", line)
        findings = Findings()
        findings.check_words("help", read(tab), english + ["Walked it off", "Extremely (4)"], world.names)
        findings.check_layout(tab, "help")
        assert line in findings.english["help"] and "Walked it off" not in findings.english["help"]
        assert "Extremely (4)" not in findings.english["help"]
        assert tab.locator("main p[lang=en]").evaluate("el => getComputedStyle(el).visibility") == "visible"  # shown again
        assert findings.other["help"][0] == '<html lang="en">'
        assert findings.other["help"][1].startswith("scrolls sideways")
        assert findings.other["help"][2] == "clipped: ['Un botón demasiado largo']"
        assert findings.other["help"][3] == "a word broken across lines: ['Puntuaciones']"
    finally:
        tab.context.close()
        accounts.set_language(world.alice.user, "en")
