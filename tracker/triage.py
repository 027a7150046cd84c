"""Caseload triage: who needs a call today, and why.

Each flag says in words what was seen. A flag's `evidence` names the facts it rests on (the
last check-in's date, the newest strong urge, ...); an acknowledgement holds for that
evidence only, so when something new happens the flag counts in full again.

The whole caseload is read in a fixed number of queries, whatever its size: one per kind of
fact, for all participants at once.
"""

import dataclasses
import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Case, Count, F, Max, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import instruments, medication, scores
from .progress import mean
from .urgent import SAFETY_FLAG
from .models import (
    AbsenceNotice,
    Attendance,
    CheckIn,
    GroupSession,
    Delivery,
    FlagAcknowledgement,
    Medication,
    PushSubscription,
    QuestionnaireResponse,
    SafetyAnswer,
    SafetyPlanVersion,
    Substance,
    TalkRequest,
    Urge,
    WeekendPlan,
    weekend_friday,
)

SPARK_DAYS = 14
# How much each flag weighs in the ranking. An acknowledged flag weighs a tenth as much.
WEIGHTS = {
    "talk": 8,
    "high_urge": 8,
    # Use and medication (issue 17): "use" took over the older "setback" flag.
    "use": 8,
    "missed_doses": 3,
    "missed_two": 8,
    "no_checkin": 4,
    "missed_group": 4,
    "rising": 3,
    "safety_plan": 2,
    "sleep": 1,
    "weekend_plan": 1,
    "reminders": 1,
    "reminders_setup": 0.5,
}
ACKNOWLEDGED_SHARE = 0.1
# What "Asked to talk" says, by where the request came from (whole sentences, for translators).
TALK_FROM = {
    "support": _lazy("Asked to talk on %(when)s (on the sheet after a hard moment)."),
    "today": _lazy("Asked to talk on %(when)s (from Today)."),
    "safety_plan": _lazy("Asked to talk on %(when)s (from the safety plan)."),
}
# An acknowledged "Asked to talk" stays on the list (marked acknowledged) this long after the request.
TALK_ACKNOWLEDGED_FOR = dt.timedelta(days=7)
LABELS = {
    "talk": _lazy("Asked to talk"),
    "high_urge": _lazy("Strong urge"),
    "use": _lazy("Use reported"),
    "missed_doses": _lazy("Missed doses"),
    "missed_two": _lazy("Missed two in a row"),
    "no_checkin": _lazy("No check-in"),
    "missed_group": _lazy("Missed group"),
    "rising": _lazy("Urges getting stronger"),
    "safety_plan": _lazy("Safety plan empty"),
    "sleep": _lazy("Poor sleep"),
    "weekend_plan": _lazy("No weekend plan"),
    "reminders": _lazy("Reminders not reaching them"),
    "reminders_setup": _lazy("Reminders not set up"),
}
# How loud each flag looks, and its place in a person's list: urgent first, then attention,
# then setup (a grey chip, never red: something to sort out, not a risk).
SEVERITY = {
    "talk": "urgent",
    "high_urge": "urgent",
    "use": "urgent",
    "missed_doses": "attention",
    "missed_two": "urgent",
    "no_checkin": "attention",
    "missed_group": "attention",
    "rising": "attention",
    "sleep": "attention",
    "weekend_plan": "attention",
    "safety_plan": "attention",
    "reminders": "attention",
    "reminders_setup": "setup",
}
SEVERITY_ORDER = ("urgent", "attention", "setup")

# The risky answer (issue 17, tracker.urgent): an answer above 0 to PHQ-9 item 9. The heaviest
# flag of all; it stays until a counselor acknowledges it, and that takes a note saying what was
# done. Acknowledged, it stays listed (marked) for SAFETY_ACKNOWLEDGED_FOR after the answer came in.
WEIGHTS[SAFETY_FLAG] = 10
LABELS[SAFETY_FLAG] = gettext_lazy("Risky answer on a questionnaire")
SEVERITY[SAFETY_FLAG] = "urgent"
SAFETY_ACKNOWLEDGED_FOR = dt.timedelta(days=7)
# Flags acknowledged only with a note (services.flag_acknowledge refuses them without one).
NOTE_REQUIRED = frozenset({SAFETY_FLAG})


def safety_flag(answer, participant):
    """The flag for a person's newest safety answer: which questionnaire and item, the answer's
    own words (the instrument's, in its version), and when it was given."""
    item = instruments.get(answer.instrument, answer.version).item(answer.item)
    words = next((option.text() for option in item.options if option.value == answer.value), str(answer.value))
    text = gettext("%(instrument)s item %(item)s: “%(answer)s”, %(when)s.") % {
        "instrument": instruments.get(answer.instrument, answer.version).name, "item": item.number,
        "answer": words, "when": _when(answer.answered_at, participant)}
    return Flag(SAFETY_FLAG, text, str(answer.pk))

# The participant's settings that each turn one kind of reminder on (empty: off).
REMINDER_SETTINGS = ("checkin_reminder_at", "high_risk_lead_min", "weekend_plan_reminder_at",
                     "weekend_review_reminder_at", "task_reminder_at")


@dataclasses.dataclass
class Flag:
    key: str
    text: str
    evidence: str
    acknowledgement: FlagAcknowledgement | None = None
    note_error = ""  # why an acknowledgement was refused, for the page to show next to the note box

    @property
    def label(self):
        return str(LABELS[self.key])  # in the active language

    @property
    def note_required(self):
        return self.key in NOTE_REQUIRED

    @property
    def weight(self):
        return WEIGHTS[self.key] * (ACKNOWLEDGED_SHARE if self.acknowledgement else 1)

    @property
    def severity(self):
        return SEVERITY[self.key]

    def order_key(self):
        """Most severe first; within a level, the heavier flag first."""
        return (SEVERITY_ORDER.index(self.severity), -WEIGHTS[self.key], self.key)


@dataclasses.dataclass
class Row:
    participant: object
    today: dt.date
    flags: list
    last_checkin: dt.date | None
    sleep: list  # [(date, hours or None)] for the last SPARK_DAYS local days, oldest first
    urges: list  # [(date, count)]
    latest_scores: dict = dataclasses.field(default_factory=dict)  # {instrument: [latest, previous]} (tracker.scores)
    # Every acknowledgement of theirs, newest first, as read for the flags: the trends page marks
    # them on its charts (tracker.care.overview) without reading them again.
    acknowledgements: list = dataclasses.field(default_factory=list)

    @property
    def score(self):
        return round(sum(flag.weight for flag in self.flags), 2)

    @property
    def open_flags(self):
        return [flag for flag in self.flags if flag.acknowledgement is None]

    @property
    def days_without_checkin(self):
        return None if self.last_checkin is None else (self.today - self.last_checkin).days

    def sort_key(self):
        waited = self.days_without_checkin if self.last_checkin else 10_000
        return (-self.score, -len(self.open_flags), -waited, str(self.participant).lower())


def _local(instant, participant):
    return instant.astimezone(participant.zone)


def _when(instant, _participant):
    """An instant in the words of a flag, in the screen's zone (the active one): the counselor's
    on the caseload, the participant's on that participant's pages."""
    return date_format(timezone.localtime(instant), gettext("D j M, H:i"))


def _day(day):
    """A day in the words of a flag (the active language's names)."""
    return date_format(day, gettext("D j M"))


def _number(value, decimals=1):
    """A number as the active language writes it: 7.5, 7,5."""
    return number_format(value, decimals)


def caseload(participants, *, now=None):
    """Triage rows for these participants, most in need first."""
    now = now or timezone.now()
    participants = list(participants)
    if not participants:
        return []
    ids = [p.pk for p in participants]
    today = {p.pk: p.local_today(now) for p in participants}
    earliest_day = min(today.values()) - dt.timedelta(days=max(SPARK_DAYS, settings.TRIAGE_SLEEP_DAYS,
                                                               settings.TRIAGE_SETBACK_DAYS, medication.MISSED_DOSES_DAYS))
    urge_window = dt.timedelta(days=max(settings.TRIAGE_RISING_DAYS + settings.TRIAGE_RISING_BASELINE_DAYS,
                                        settings.TRIAGE_SETBACK_DAYS, SPARK_DAYS + 1),
                               hours=settings.TRIAGE_HIGH_URGE_HOURS)

    last_checkin = dict(CheckIn.objects.filter(participant_id__in=ids).values("participant_id")
                        .annotate(last=Max("date")).values_list("participant_id", "last"))
    checkins = defaultdict(dict)
    answers = defaultdict(dict)  # use and medication: {pid: {date: CheckInAnswers}}
    for pid, day, tst, efficiency, *answer in CheckIn.objects.filter(
            participant_id__in=ids, date__gte=earliest_day).values_list(
            "participant_id", "date", "total_sleep_min", "sleep_efficiency", "pk", "updated_at", "used_today",
            "substances", "took_medication", "doses_missed"):
        checkins[pid][day] = (tst, efficiency)
        answers[pid][day] = CheckInAnswers(*answer)
    urges = defaultdict(list)
    for pid, *fields in Urge.objects.filter(
            participant_id__in=ids, occurred_at__gte=now - urge_window, occurred_at__lte=now).values_list(
            "participant_id", "occurred_at", "intensity", "outcome", "pk", "updated_at").order_by("occurred_at"):
        urges[pid].append(tuple(fields))
    use_reports, doses = _use_and_medication(participants, ids, now=now, today=today, urges=urges, answers=answers)
    fridays = {weekend_friday(day) for day in today.values()}
    weekend_plans = set(WeekendPlan.objects.filter(participant_id__in=ids, weekend_of__in=fridays)
                        .values_list("participant_id", "weekend_of"))
    subscribed, working = set(), set()
    for user_id, failures in PushSubscription.objects.filter(
            user_id__in=[p.user_id for p in participants]).values_list("user_id", "failures"):
        subscribed.add(user_id)
        if failures < settings.REMINDER_MAX_ATTEMPTS:
            working.add(user_id)
    failed = {row["reminder__participant_id"]: row for row in Delivery.objects.filter(
        reminder__participant_id__in=ids, status=Delivery.Status.FAILED,
        due_at__gte=now - dt.timedelta(days=settings.TRIAGE_FAILED_DELIVERY_DAYS))
        .values("reminder__participant_id").annotate(n=Count("id"), last=Max("due_at"))}
    newest = SafetyPlanVersion.objects.filter(participant_id=OuterRef("participant_id")).order_by("-number")
    plans = {plan.participant_id: plan for plan in SafetyPlanVersion.objects.filter(
        participant_id__in=ids, number=Subquery(newest.values("number")[:1]))}
    # The newest "I'd like to talk" of each person: it stays until acknowledged, then for
    # TALK_ACKNOWLEDGED_DAYS (marked acknowledged); a newer one raises it again.
    newest_talk = TalkRequest.objects.filter(participant_id=OuterRef("participant_id")).order_by("-created_at", "-pk")
    talks = {talk.participant_id: talk for talk in TalkRequest.objects.filter(
        participant_id__in=ids, pk=Subquery(newest_talk.values("pk")[:1]))}
    # The newest safety answer to reach Steady (by arrival, not by when it was answered: one sent
    # late from a phone that was offline must raise the flag again).
    newest_safety = SafetyAnswer.objects.filter(participant_id=OuterRef("participant_id")).order_by("-created_at", "-pk")
    safety_answers = {answer.participant_id: answer for answer in SafetyAnswer.objects.filter(
        participant_id__in=ids, pk=Subquery(newest_safety.values("pk")[:1]))}
    missed, last_two = group_absences(ids, now=now)
    acknowledgements, acknowledgements_of = {}, defaultdict(list)
    for ack in FlagAcknowledgement.objects.filter(participant_id__in=ids).select_related("counselor__user"):
        acknowledgements.setdefault((ack.participant_id, ack.flag, ack.evidence), ack)
        acknowledgements_of[ack.participant_id].append(ack)
    latest, risk_rise = scores.latest_scores(ids)
    missed_questionnaires = scores.missed_recently(ids, now=now)

    rows = []
    for participant in participants:
        pid = participant.pk
        flags = participant_flags(
            participant, now=now, today=today[pid], last_checkin=last_checkin.get(pid), checkins=checkins[pid],
            urges=urges[pid], has_weekend_plan=(pid, weekend_friday(today[pid])) in weekend_plans,
            has_subscription=participant.user_id in subscribed,
            has_working_subscription=participant.user_id in working, failed=failed.get(pid), plan=plans.get(pid),
            talk=talks.get(pid), use_reports=use_reports[pid], doses=doses.get(pid),
            missed=missed.get(pid), last_two=last_two.get(pid, []), safety_answer=safety_answers.get(pid),
        )
        flags += score_flags(latest=latest.get(pid, {}), risk_rise=risk_rise.get(pid),
                             missed=missed_questionnaires.get(pid, []))
        flags.sort(key=Flag.order_key)
        for flag in flags:
            flag.acknowledgement = acknowledgements.get((pid, flag.key, flag.evidence))
        # An acknowledged request to talk is done with after a while; an open one stays.
        flags = [flag for flag in flags if not (flag.key == "talk" and flag.acknowledgement
                                                and talks[pid].created_at < now - TALK_ACKNOWLEDGED_FOR)]
        flags = [flag for flag in flags if not (flag.key == SAFETY_FLAG and flag.acknowledgement
                                                and safety_answers[pid].created_at < now - SAFETY_ACKNOWLEDGED_FOR)]
        days = [today[pid] - dt.timedelta(days=n) for n in range(SPARK_DAYS - 1, -1, -1)]
        urge_days = defaultdict(int)
        for occurred_at, *_rest in urges[pid]:
            urge_days[_local(occurred_at, participant).date()] += 1
        sleep = [(day, None if checkins[pid].get(day, (None,))[0] is None else round(checkins[pid][day][0] / 60, 1))
                 for day in days]
        rows.append(Row(participant=participant, today=today[pid], flags=flags, last_checkin=last_checkin.get(pid),
                        sleep=sleep, urges=[(day, urge_days[day]) for day in days], latest_scores=latest.get(pid, {}),
                        acknowledgements=acknowledgements_of[pid]))
    rows.sort(key=Row.sort_key)
    return rows


# ---------------------------------------------------------------------------------------------
# Use and medication (issue 17): one "Use reported" flag from any source, and missed doses.


@dataclasses.dataclass(frozen=True)
class CheckInAnswers:
    pk: object
    updated_at: dt.datetime
    used_today: str
    substances: list
    took_medication: str
    doses_missed: int | None


@dataclasses.dataclass(frozen=True)
class UseReport:
    """One report of use: an urge that ended in use, a check-in's "yes", a BAM with a use score
    above 0, or "I used" as the reason for missing group. The newest (last written) gives the
    flag its text and its evidence, "<kind>:<id>" (the urgent notices rely on that form)."""

    kind: str  # "urge", "checkin", "response", "notice"
    pk: object
    reported_at: dt.datetime  # when it was last written
    happened_at: dt.datetime  # what it tells of; breaks ties
    variant: str  # which sentence tells of it (see text)
    words: dict  # its placeholders' values, already in the active language's words

    @property
    def evidence(self):
        return f"{self.kind}:{self.pk}"

    def text(self, count):
        """The flag's sentence, with "(N reports in D days)" when there are `count` > 1 of them.
        Each is a whole sentence for translators; the forms are picked here, never pieced together."""
        words = {**self.words, "count": count, "days": settings.TRIAGE_SETBACK_DAYS}
        many = count > 1
        match self.variant:
            case "urge":
                text = ngettext("An urge on %(when)s ended in use (%(count)s report in %(days)s days).",
                                "An urge on %(when)s ended in use (%(count)s reports in %(days)s days).",
                                count) if many else gettext("An urge on %(when)s ended in use.")
            case "checkin_substances":
                text = ngettext(
                    "Said they used (%(substances)s), in the check-in for %(day)s (%(count)s report in %(days)s days).",
                    "Said they used (%(substances)s), in the check-in for %(day)s (%(count)s reports in %(days)s days).",
                    count) if many else gettext("Said they used (%(substances)s), in the check-in for %(day)s.")
            case "checkin":
                text = ngettext("Said they used, in the check-in for %(day)s (%(count)s report in %(days)s days).",
                                "Said they used, in the check-in for %(day)s (%(count)s reports in %(days)s days).",
                                count) if many else gettext("Said they used, in the check-in for %(day)s.")
            case "notice":
                text = ngettext(
                    "Said they used, as the reason for missing group on %(when)s (%(count)s report in %(days)s days).",
                    "Said they used, as the reason for missing group on %(when)s (%(count)s reports in %(days)s days).",
                    count) if many else gettext("Said they used, as the reason for missing group on %(when)s.")
            case "bam_both":
                text = ngettext(
                    "BAM on %(day)s: alcohol on %(alcohol)s days, drugs on %(drugs)s days in the past 30 "
                    "(%(count)s report in %(days)s days).",
                    "BAM on %(day)s: alcohol on %(alcohol)s days, drugs on %(drugs)s days in the past 30 "
                    "(%(count)s reports in %(days)s days).",
                    count) if many else gettext(
                    "BAM on %(day)s: alcohol on %(alcohol)s days, drugs on %(drugs)s days in the past 30.")
            case "bam_alcohol":
                text = ngettext(
                    "BAM on %(day)s: alcohol on %(alcohol)s days in the past 30 (%(count)s report in %(days)s days).",
                    "BAM on %(day)s: alcohol on %(alcohol)s days in the past 30 (%(count)s reports in %(days)s days).",
                    count) if many else gettext("BAM on %(day)s: alcohol on %(alcohol)s days in the past 30.")
            case "bam_drugs":
                text = ngettext(
                    "BAM on %(day)s: drugs on %(drugs)s days in the past 30 (%(count)s report in %(days)s days).",
                    "BAM on %(day)s: drugs on %(drugs)s days in the past 30 (%(count)s reports in %(days)s days).",
                    count) if many else gettext("BAM on %(day)s: drugs on %(drugs)s days in the past 30.")
            case _:  # "bam_score": the BAM's items not at hand, its use score
                text = ngettext(
                    "BAM on %(day)s: a use score of %(score)s in the past 30 (%(count)s report in %(days)s days).",
                    "BAM on %(day)s: a use score of %(score)s in the past 30 (%(count)s reports in %(days)s days).",
                    count) if many else gettext("BAM on %(day)s: a use score of %(score)s in the past 30.")
        return text % words

    def order_key(self):
        return (self.reported_at, self.happened_at, self.kind, str(self.pk))


def _bam_use_words(answers, version):
    """{"alcohol": "4–8", "drugs": "1–3"}: the days of use a BAM's items 4 and 6 answered, as the
    options' own ranges (only those above 0; empty when the items are not at hand)."""
    try:
        definition = instruments.get("bam", version)
    except KeyError:
        return {}
    found = {}
    for key, what in (("4", "alcohol"), ("6", "drugs")):
        value = (answers or {}).get(key)
        option = next((o for o in definition.item(key).options if o.value == value), None) if value else None
        if option is not None:
            found[what] = option.text("en").removesuffix(" days")
    return found


def _use_and_medication(participants, ids, *, now, today, urges, answers):
    """({pid: [UseReport]}, {pid: medication.MissedDoses}) from facts read for everyone at once:
    urges and check-ins (already read), plus at most three queries whatever the caseload's size:
    "I used" notices, complete BAMs with a use score above 0, and the active medications' times of
    those whose check-ins said "No" to their medication."""
    since = now - dt.timedelta(days=settings.TRIAGE_SETBACK_DAYS)
    reports = defaultdict(list)
    by_id = {p.pk: p for p in participants}
    for pid, rows in urges.items():
        for occurred_at, _intensity, outcome, pk, updated_at in rows:
            if outcome == Urge.Outcome.USED and occurred_at >= since:
                reports[pid].append(UseReport("urge", pk, updated_at, occurred_at, "urge",
                                              {"when": _when(occurred_at, by_id[pid])}))
    for pid, days in answers.items():
        zone = by_id[pid].zone
        for day, answer in days.items():
            if answer.used_today == "yes" and today[pid] - dt.timedelta(days=settings.TRIAGE_SETBACK_DAYS) <= day:
                what = ", ".join(str(dict(Substance.choices).get(key, key)).split(" (")[0].lower()
                                 for key in answer.substances or [])
                reports[pid].append(UseReport(
                    "checkin", answer.pk, answer.updated_at,
                    dt.datetime.combine(day, dt.time(23, 59), tzinfo=zone),
                    "checkin_substances" if what else "checkin", {"substances": what, "day": _day(day)}))
    for pid, pk, created_at, updated_at, starts_at in AbsenceNotice.objects.filter(
            participant_id__in=ids, reason=AbsenceNotice.Reason.USED, created_at__gte=since,
            created_at__lte=now).values_list("participant_id", "pk", "created_at", "updated_at", "session__starts_at"):
        reports[pid].append(UseReport("notice", pk, updated_at, created_at, "notice",
                                      {"when": _when(starts_at, None)}))
    for pid, pk, completed_at, version, answers_given, bam_scores in QuestionnaireResponse.objects.filter(
            participant_id__in=ids, instrument="bam", complete=True, completed_at__gte=since, completed_at__lte=now,
            scores__use__gt=0).values_list("participant_id", "pk", "completed_at", "version", "answers", "scores"):
        found = _bam_use_words(answers_given, version)
        variant = ("bam_both" if len(found) == 2 else f"bam_{next(iter(found))}") if found else "bam_score"
        reports[pid].append(UseReport("response", pk, completed_at, completed_at, variant,
                                      {**found, "day": _day(timezone.localtime(completed_at)),
                                       "score": bam_scores.get("use")}))
    # Only "No" needs the doses scheduled a day: rare, so the medications are read only then.
    times = defaultdict(list)
    said_no = [pid for pid, days in answers.items() if any(a.took_medication == "no" for a in days.values())]
    if said_no:
        for pid, medication_times in Medication.objects.filter(participant_id__in=said_no, active=True).values_list(
                "participant_id", "times"):
            times[pid].append(medication_times)
    doses = {pid: medication.missed_doses({day: (a.took_medication, a.doses_missed) for day, a in days.items()},
                                          today=today[pid], scheduled=medication.doses_a_day(times[pid]))
             for pid, days in answers.items()}
    return reports, doses


def group_absences(ids, *, now):
    """One query for everyone: ({id: their newest unexcused absence in the last
    TRIAGE_MISSED_GROUP_DAYS days}, {id: their last TRIAGE_MISSED_IN_A_ROW marked sessions, newest first}).
    Each is a (session id, starts_at, group name, status). Only sessions that began and were not
    cancelled count; an unmarked roll says nothing."""
    recent = Case(When(status=Attendance.Status.ABSENT, session__starts_at__gte=now - dt.timedelta(
        days=settings.TRIAGE_MISSED_GROUP_DAYS), then=Value(True)), default=Value(False))
    newest_first = [F("session__starts_at").desc(), F("session_id").desc()]
    marks = (Attendance.objects.filter(participant_id__in=ids, session__starts_at__lte=now)
             .exclude(status=Attendance.Status.UNMARKED).exclude(session__status=GroupSession.Status.CANCELLED)
             .annotate(recent=recent,
                       n=Window(RowNumber(), partition_by=[F("participant_id")], order_by=newest_first),
                       nth_recent=Window(RowNumber(), partition_by=[F("participant_id"), recent], order_by=newest_first))
             .filter(Q(n__lte=settings.TRIAGE_MISSED_IN_A_ROW) | Q(nth_recent=1))
             .order_by("participant_id", "n")
             .values_list("participant_id", "n", "recent", "nth_recent", "session_id", "session__starts_at",
                          "session__group__name", "status"))
    missed, last = {}, defaultdict(list)
    for pid, n, is_recent, nth_recent, *mark in marks:
        if is_recent and nth_recent == 1:
            missed[pid] = tuple(mark)
        if n <= settings.TRIAGE_MISSED_IN_A_ROW:
            last[pid].append(tuple(mark))
    return missed, last


def participant_flags(participant, *, now, today, last_checkin, checkins, urges, has_weekend_plan,
                      has_subscription, has_working_subscription, failed, plan, talk=None, use_reports=(),
                      doses=None, missed=None, last_two=(), safety_answer=None):
    """The flags for one person, from facts already read. `urges`: [(occurred_at, intensity, outcome,
    ...)]; `talk`: their newest request to talk, if any; `use_reports`, `doses`: see
    _use_and_medication; `missed`, `last_two`: see group_absences; `safety_answer`: their newest
    safety answer, if any."""
    s = settings
    flags = []
    if safety_answer is not None:
        flags.append(safety_flag(safety_answer, participant))

    # Group: the last N marked sessions all absent is urgent and says it all; otherwise an
    # unexcused absence in the last days. The evidence is the newest absent session, so an
    # acknowledgement holds until the next one.
    absent = Attendance.Status.ABSENT
    if len(last_two) >= s.TRIAGE_MISSED_IN_A_ROW and all(mark[3] == absent for mark in last_two):
        sessions = ", ".join(pgettext("a missed group session, in a list", "%(when)s %(group)s")
                             % {"when": _when(m[1], participant), "group": m[2]} for m in last_two)
        flags.append(Flag("missed_two", ngettext("Missed the last %(count)s session of group (%(sessions)s).",
                                                 "Missed the last %(count)s sessions of group (%(sessions)s).",
                                                 len(last_two)) % {"count": len(last_two), "sessions": sessions},
                          f"session:{last_two[0][0]}"))
    elif missed is not None:
        flags.append(Flag("missed_group", gettext("Missed group on %(when)s (%(group)s), no notice of a reason marked.")
                          % {"when": _when(missed[1], participant), "group": missed[2]}, f"session:{missed[0]}"))

    if talk is not None:
        # The evidence is the request itself: acknowledging it holds until a new request.
        words = {"when": _when(talk.created_at, participant), "source": talk.source}
        text = (TALK_FROM[talk.source] % words if talk.source in TALK_FROM
                else gettext("Asked to talk on %(when)s (%(source)s).") % words)
        flags.append(Flag("talk", text, f"talk:{talk.pk}"))

    # No check-in for N or more days (days since the last one; since enrolment if none yet).
    if last_checkin is not None:
        days = (today - last_checkin).days
        if days >= s.TRIAGE_NO_CHECKIN_DAYS:
            flags.append(Flag("no_checkin", ngettext("No check-in for %(days)s day (last on %(day)s).",
                                                     "No check-in for %(days)s days (last on %(day)s).", days)
                              % {"days": days, "day": _day(last_checkin)}, f"last:{last_checkin.isoformat()}"))
    else:
        days = (today - _local(participant.created_at, participant).date()).days
        if days >= s.TRIAGE_NO_CHECKIN_DAYS:
            flags.append(Flag("no_checkin", ngettext("No check-in yet (%(days)s day since joining).",
                                                     "No check-in yet (%(days)s days since joining).", days)
                              % {"days": days}, "never"))

    strong = [u for u in urges if u[0] >= now - dt.timedelta(hours=s.TRIAGE_HIGH_URGE_HOURS)
              and u[1] >= s.TRIAGE_HIGH_URGE]
    if strong:
        top = max(strong, key=lambda u: (u[1], u[0]))
        words = {"intensity": top[1], "when": _when(top[0], participant), "count": len(strong),
                 "threshold": s.TRIAGE_HIGH_URGE, "hours": s.TRIAGE_HIGH_URGE_HOURS}
        text = (ngettext("Urge of %(intensity)s/10 on %(when)s (%(count)s at %(threshold)s+ in %(hours)s h).",
                         "Urge of %(intensity)s/10 on %(when)s (%(count)s at %(threshold)s+ in %(hours)s h).",
                         len(strong)) if len(strong) > 1 else gettext("Urge of %(intensity)s/10 on %(when)s."))
        flags.append(Flag("high_urge", text % words, f"at:{strong[-1][0].isoformat()}"))

    recent_start = now - dt.timedelta(days=s.TRIAGE_RISING_DAYS)
    base_start = recent_start - dt.timedelta(days=s.TRIAGE_RISING_BASELINE_DAYS)
    recent = [u[1] for u in urges if u[0] >= recent_start]
    base = [u[1] for u in urges if base_start <= u[0] < recent_start]
    if len(recent) >= s.TRIAGE_RISING_MIN_URGES and len(base) >= s.TRIAGE_RISING_MIN_URGES:
        now_avg, before_avg = mean(recent), mean(base)
        if now_avg - before_avg >= s.TRIAGE_RISING_POINTS:
            newest = max(u[0] for u in urges if u[0] >= recent_start)
            flags.append(Flag("rising", gettext(
                "Urges stronger: %(now)s/10 on average in the last %(days)s days, %(before)s in the %(baseline)s "
                "before.") % {"now": _number(now_avg), "days": s.TRIAGE_RISING_DAYS, "before": _number(before_avg),
                              "baseline": s.TRIAGE_RISING_BASELINE_DAYS}, f"to:{newest.isoformat()}"))

    if use_reports:
        newest = max(use_reports, key=UseReport.order_key)
        flags.append(Flag("use", newest.text(len(use_reports)), newest.evidence))
    if doses is not None and doses.total >= medication.MISSED_DOSES_FLAG:
        days = ", ".join(pgettext("doses missed on a day, in a list", "%(count)s on %(day)s")
                         % {"count": n, "day": _day(day)} for day, _, n in doses.days)
        flags.append(Flag("missed_doses", ngettext("%(total)s dose missed in the last %(days)s days (%(list)s).",
                                                   "%(total)s doses missed in the last %(days)s days (%(list)s).",
                                                   doses.total)
                          % {"total": doses.total, "days": medication.MISSED_DOSES_DAYS, "list": days},
                          f"to:{doses.days[-1][0].isoformat()}"))

    first_night = today - dt.timedelta(days=s.TRIAGE_SLEEP_DAYS - 1)
    nights = {day: values for day, values in checkins.items() if first_night <= day <= today and values[0] is not None}
    if len(nights) >= s.TRIAGE_SLEEP_MIN_NIGHTS:
        minutes = mean([tst for tst, _ in nights.values()])
        efficiency = mean([se for _, se in nights.values() if se is not None])
        short = minutes < s.TRIAGE_SLEEP_MIN_HOURS * 60
        restless = efficiency is not None and efficiency < s.TRIAGE_SLEEP_MIN_EFFICIENCY
        whole = round(minutes)
        words = {"nights": len(nights), "hours": whole // 60, "minutes": whole % 60,
                 "percent": _number(round(efficiency * 100), 0) if efficiency is not None else ""}
        if short and restless:
            text = ngettext("Poor sleep over %(nights)s night: %(hours)s h %(minutes)s min a night and %(percent)s%% "
                            "of time in bed asleep on average.",
                            "Poor sleep over %(nights)s nights: %(hours)s h %(minutes)s min a night and %(percent)s%% "
                            "of time in bed asleep on average.", len(nights))
        elif short:
            text = ngettext("Poor sleep over %(nights)s night: %(hours)s h %(minutes)s min a night on average.",
                            "Poor sleep over %(nights)s nights: %(hours)s h %(minutes)s min a night on average.",
                            len(nights))
        elif restless:
            text = ngettext("Poor sleep over %(nights)s night: %(percent)s%% of time in bed asleep on average.",
                            "Poor sleep over %(nights)s nights: %(percent)s%% of time in bed asleep on average.",
                            len(nights))
        if short or restless:
            flags.append(Flag("sleep", text % words, f"to:{max(nights).isoformat()}"))

    if today.weekday() >= 3 and not has_weekend_plan:
        friday = weekend_friday(today)
        flags.append(Flag("weekend_plan", _("No plan yet for the weekend of %(day)s.") % {"day": _day(friday)},
                          f"weekend:{friday}"))

    # Reminders: a setup matter (grey) when they are off or no phone was ever set up; a failure
    # (amber) only on what really failed: failed sends, or a phone that stopped taking them.
    # Sends whose outcome is unknown are not counted as failed.
    reminders_off = (all(getattr(participant, name) is None for name in REMINDER_SETTINGS)
                     or not (participant.remind_by_push or participant.remind_by_email))
    if reminders_off:
        flags.append(Flag("reminders_setup", _("Reminders are turned off."), "off"))
    elif not has_subscription and participant.remind_by_push:
        flags.append(Flag("reminders_setup", _("No phone set up for notifications."), "nosub"))
    evidence = []
    dead = not reminders_off and has_subscription and not has_working_subscription
    if dead:
        evidence.append("deadsub")
    failing = bool(failed and failed["n"] >= s.TRIAGE_FAILED_DELIVERIES)
    if failing:
        evidence.append(f"failed:{failed['last'].isoformat()}")
        words = {"count": failed["n"], "days": s.TRIAGE_FAILED_DELIVERY_DAYS}
        text = (ngettext("The phone stopped accepting notifications; %(count)s reminder failed in %(days)s days.",
                         "The phone stopped accepting notifications; %(count)s reminders failed in %(days)s days.",
                         failed["n"]) if dead else
                ngettext("%(count)s reminder failed in %(days)s days.", "%(count)s reminders failed in %(days)s days.",
                         failed["n"])) % words
    elif dead:
        text = gettext("The phone stopped accepting notifications.")
    if evidence:
        flags.append(Flag("reminders", text, "|".join(evidence)))

    if plan is None or plan.is_empty:
        flags.append(Flag("safety_plan", _("Safety plan is empty.") if plan else _("No safety plan written yet."),
                          f"v{plan.number if plan else 0}"))
    return flags


# ---------------------------------------------------------------------------------------------
# Questionnaire scores (issue 17): flags from the latest scores (tracker.scores), read for the
# whole caseload in two queries. Each flag's evidence is the response or questionnaire it rests
# on, so an acknowledgement holds for that one; the next response raises it again.
#
# A PHQ-9 of 15 or more ("Moderately severe" and "Severe") is an attention flag, not urgent:
# urgent here means "call today" and the acute risk in a PHQ-9 (item 9) raises its own urgent
# flag the moment it is answered; the total describes the last two weeks and calls for a review
# of the plan at the next contact. It weighs 5, above every other attention flag.

PHQ9_HIGH = 15
WEIGHTS.update({"phq9_high": 5, "bam_risk_up": 4, "questionnaire_missed": 1})
LABELS.update({"phq9_high": _lazy("PHQ-9 of 15 or more"), "bam_risk_up": _lazy("BAM risk score up"),
               "questionnaire_missed": _lazy("Questionnaire missed")})
SEVERITY.update({"phq9_high": "attention", "bam_risk_up": "attention", "questionnaire_missed": "attention"})


def score_flags(*, latest, risk_rise, missed):
    """Flags from one person's latest scores. `latest`: {instrument: [latest, previous]}
    (tracker.scores.Latest); `risk_rise`: their program's bam_risk_rise; `missed`: questionnaires
    missed in the last tracker.scores.MISSED_DAYS days, oldest first."""
    flags = []
    phq9 = latest.get("phq9", [])
    if phq9 and phq9[0].scores.get("total", 0) >= PHQ9_HIGH:
        newest = phq9[0]
        flags.append(Flag("phq9_high", _("PHQ-9 of %(value)s (%(band)s) on %(when)s.") % {
            "value": newest.scores["total"], "band": instruments.translated(newest.bands.get("total", "")),
            "when": _when(newest.completed_at, None)}, f"response:{newest.id}"))
    bam = latest.get("bam", [])
    if len(bam) == 2 and risk_rise and "risk" in bam[0].scores and "risk" in bam[1].scores:
        newest, before = bam
        rise = newest.scores["risk"] - before.scores["risk"]
        if rise >= risk_rise:
            flags.append(Flag("bam_risk_up", _(
                "BAM risk factors up by %(rise)s, from %(before)s to %(value)s, on %(when)s (the program flags a "
                "rise of %(setting)s or more).") % {"rise": rise, "before": before.scores["risk"],
                                             "value": newest.scores["risk"], "when": _when(newest.completed_at, None),
                                             "setting": risk_rise}, f"response:{newest.id}"))
    if missed:
        newest = missed[-1]
        text = _("%(name)s due %(day)s was not answered while it was open (until %(when)s).") % {
            "name": newest.definition.name, "day": _day(newest.due_on), "when": _when(newest.closes_at, None)}
        if len(missed) > 1:
            text += " " + _("%(count)s missed in %(days)s days.") % {"count": len(missed), "days": scores.MISSED_DAYS}
        flags.append(Flag("questionnaire_missed", text, f"questionnaire:{newest.pk}"))
    return flags
