"""The care team's flags in the reader's language: computed while Spanish is active, every flag's
words are the Spanish catalog's (whole sentences, dates and numbers as Spanish writes them), and
the evidence stays the same identifier in both languages (acknowledgements match on it).
Needs the Spanish catalog compiled (locale/es/LC_MESSAGES/django.mo).
"now" is Wednesday 18 November 2026, 12:00 in New York (alice's zone)."""

import datetime as dt
import re
import uuid

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext
from people import NOW

from tracker import services, triage
from tracker.models import Participant, PushSubscription

ENGLISH_NAMES = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")


def checkin(p, day, **answers):
    """A short night (22:00 to 03:30: 5 h 30 min asleep) and these answers."""
    return services.checkin_put(participant=p, id=uuid.uuid4(), data={
        "date": day, "in_bed_at": dt.time(22, 0), "tried_sleep_at": dt.time(22, 0), "final_wake_at": dt.time(3, 30),
        "out_of_bed_at": dt.time(3, 30), "awake_min": 0, "sleep_latency_min": 0, "awakenings": 0, **answers}).entry


def urge(p, at, intensity, outcome=""):
    return services.urge_put(participant=p, id=uuid.uuid4(), data={
        "occurred_at": at, "intensity": intensity, "outcome": outcome}).entry


@pytest.fixture
def troubled(alice, now):
    """Alice with most of the flags at once: no check-in for 3 days after three short nights, one
    of them with use and missed doses, strong and rising urges (one ended in use), a request to
    talk after a hard moment, a phone that stopped taking notifications, no safety plan."""
    services.medication_put(participant=alice, id=uuid.uuid4(), data={"name": "A medication",
                                                                     "times": ["08:00", "20:00"]})
    checkin(alice, dt.date(2026, 11, 13))
    checkin(alice, dt.date(2026, 11, 14), took_medication="some", doses_missed=1)
    checkin(alice, dt.date(2026, 11, 15), used_today="yes", substances=["alcohol"], took_medication="no")
    for days in (8, 9, 10):
        urge(alice, NOW - dt.timedelta(days=days), 4)
    urge(alice, NOW - dt.timedelta(days=1), 9, outcome="used")
    urge(alice, NOW - dt.timedelta(hours=2), 8)
    services.talk_request_put(participant=alice, id=uuid.uuid4(), data={"source": "support"})
    PushSubscription.objects.create(user=alice.user, endpoint=f"https://push.example/{uuid.uuid4()}", p256dh="k",
                                    auth="a", failures=99)
    return Participant.objects.get(pk=alice.pk)


def expected(flag, alice):
    """The flag's sentence as the active language's catalog words it, from the facts seeded above."""
    def when(instant):
        return date_format(timezone.localtime(instant), gettext("D j M, H:i"))

    def day(value):
        return date_format(value, gettext("D j M"))

    talk = alice.talk_requests.get()
    if flag.key == "no_checkin":
        return ngettext("No check-in for %(days)s day (last on %(day)s).",
                        "No check-in for %(days)s days (last on %(day)s).", 3) % {
            "days": 3, "day": day(dt.date(2026, 11, 15))}
    if flag.key == "high_urge":
        return ngettext("Urge of %(intensity)s/10 on %(when)s (%(count)s at %(threshold)s+ in %(hours)s h).",
                        "Urge of %(intensity)s/10 on %(when)s (%(count)s at %(threshold)s+ in %(hours)s h).", 2) % {
            "intensity": 9, "when": when(NOW - dt.timedelta(days=1)), "count": 2, "threshold": 8, "hours": 48}
    if flag.key == "rising":
        return gettext("Urges stronger: %(now)s/10 on average in the last %(days)s days, %(before)s in the "
                       "%(baseline)s before.") % {"now": number_format(8.5, 1), "days": 7,
                                                   "before": number_format(4.0, 1), "baseline": 21}
    if flag.key == "use":
        if flag.evidence.startswith("urge:"):
            return ngettext("An urge on %(when)s ended in use (%(count)s report in %(days)s days).",
                            "An urge on %(when)s ended in use (%(count)s reports in %(days)s days).", 2) % {
                "when": when(NOW - dt.timedelta(days=1)), "count": 2, "days": 7}
        return ngettext(
            "Said they used (%(substances)s), in the check-in for %(day)s (%(count)s report in %(days)s days).",
            "Said they used (%(substances)s), in the check-in for %(day)s (%(count)s reports in %(days)s days).", 2) % {
            "substances": gettext("Alcohol").lower(), "day": day(dt.date(2026, 11, 15)), "count": 2, "days": 7}
    if flag.key == "missed_doses":
        days = ", ".join(translation.pgettext("doses missed on a day, in a list", "%(count)s on %(day)s")
                         % {"count": n, "day": day(dt.date(2026, 11, d))} for d, n in ((14, 1), (15, 2)))
        return ngettext("%(total)s dose missed in the last %(days)s days (%(list)s).",
                        "%(total)s doses missed in the last %(days)s days (%(list)s).", 3) % {
            "total": 3, "days": 7, "list": days}
    if flag.key == "sleep":
        return ngettext("Poor sleep over %(nights)s night: %(hours)s h %(minutes)s min a night on average.",
                        "Poor sleep over %(nights)s nights: %(hours)s h %(minutes)s min a night on average.", 3) % {
            "nights": 3, "hours": 5, "minutes": 30}
    if flag.key == "talk":
        return gettext("Asked to talk on %(when)s (on the sheet after a hard moment).") % {"when": when(talk.created_at)}
    if flag.key == "reminders":
        return gettext("The phone stopped accepting notifications.")
    if flag.key == "safety_plan":
        return gettext("No safety plan written yet.")
    raise AssertionError(f"a flag this test did not seed: {flag.key}")


def gettext_in(language, msgid):
    with translation.override(language):
        return gettext(msgid)


SEEDED = {"no_checkin", "high_urge", "rising", "use", "missed_doses", "sleep", "talk", "reminders", "safety_plan"}


def test_flags_are_worded_in_the_active_language(troubled):
    english = {flag.key: flag for flag in triage.caseload([troubled])[0].flags}
    with translation.override("es"):
        spanish = {flag.key: flag for flag in triage.caseload([troubled])[0].flags}
        wanted = {key: expected(flag, troubled) for key, flag in spanish.items()}
        labels = {key: flag.label for key, flag in spanish.items()}  # a label is read in the active language
    assert set(english) == set(spanish) and SEEDED <= set(spanish)
    for key, flag in spanish.items():
        assert flag.text == wanted[key], key
        assert flag.evidence == english[key].evidence, key      # an identifier, the same in both
        assert flag.text != english[key].text, key              # really translated (the catalog is compiled)
        assert english[key].text == expected(english[key], troubled), key
        assert not ENGLISH_NAMES.search(flag.text), flag.text
        assert labels[key] == gettext_in("es", str(triage.LABELS[key])) != english[key].label, key
    # Numbers as Spanish writes them.
    assert "8,5/10" in spanish["rising"].text and "4,0" in spanish["rising"].text


def test_the_percentage_of_time_asleep_is_written_as_the_language_writes_numbers(alice, now):
    """79 % of time in bed asleep (379 of 480 minutes), with Spanish words in Spanish."""
    for n in range(3):
        services.checkin_put(participant=alice, id=uuid.uuid4(), data={
            "date": dt.date(2026, 11, 18) - dt.timedelta(days=n), "in_bed_at": dt.time(22, 0),
            "tried_sleep_at": dt.time(22, 0), "final_wake_at": dt.time(6, 0), "out_of_bed_at": dt.time(6, 0),
            "awake_min": 101, "sleep_latency_min": 0, "awakenings": 1})
    alice = Participant.objects.get(pk=alice.pk)
    with translation.override("es"):
        flag = {f.key: f for f in triage.caseload([alice])[0].flags}["sleep"]
        wanted = ngettext("Poor sleep over %(nights)s night: %(percent)s%% of time in bed asleep on average.",
                          "Poor sleep over %(nights)s nights: %(percent)s%% of time in bed asleep on average.", 3) % {
            "nights": 3, "percent": 79}
    english = {f.key: f for f in triage.caseload([alice])[0].flags}["sleep"]
    assert flag.text == wanted != english.text
    assert english.text == "Poor sleep over 3 nights: 79% of time in bed asleep on average."
