"""Use and medication, without judgement: days without use out of the days answered, medication
schedules, their reminders, and missed doses.

Days without use are counted, never strung together: a "yes" day is one day among the others,
and nothing resets. "I'd rather not say" and days with no answer count neither way.
"""

import dataclasses
import datetime as dt
from collections import Counter

from .models import CheckIn, Medication, Substance, TookMedication, UsedToday

# The care page's adherence table and the missed-doses flag look back this many local days.
ADHERENCE_DAYS = 14
MISSED_DOSES_DAYS = 7
MISSED_DOSES_FLAG = 3


@dataclasses.dataclass(frozen=True)
class UseDays:
    """The use answers of a run of days: how many said no, yes, rather not say, or nothing."""

    no: int
    yes: int
    not_said: int  # "I'd rather not say"
    unanswered: int

    @property
    def answered(self):
        """Days with an answer of no or yes: "rather not say" and silence count neither way."""
        return self.no + self.yes


def use_days(checkins, days):
    """Count the use answers over `days` (local dates); `checkins` maps a date to its check-in
    (or to its `used_today` value). A day without a check-in, or with the question left open,
    is unanswered."""
    counts = Counter()
    for day in days:
        entry = checkins.get(day)
        answer = entry if isinstance(entry, str) or entry is None else entry.used_today
        counts[answer or ""] += 1
    return UseDays(no=counts[UsedToday.NO], yes=counts[UsedToday.YES], not_said=counts[UsedToday.SKIP],
                   unanswered=counts[""])


def doses_a_day(times_lists):
    """The doses scheduled each day: one per time of each active medication (`times_lists` is
    their `times`)."""
    return sum(len(times or []) for times in times_lists)


def doses_missed_on(took_medication, doses_missed, scheduled):
    """Doses missed on one day, from its check-in: "No" is every dose scheduled that day (at least
    one: they said they missed it), "Missed some" the number given (at least one), else none."""
    if took_medication == TookMedication.NO:
        return max(scheduled, 1)
    if took_medication == TookMedication.SOME:
        return max(doses_missed or 0, 1)
    return 0


@dataclasses.dataclass(frozen=True)
class MissedDoses:
    total: int
    days: list  # [(date, took_medication, doses missed that day)] with a miss, oldest first


def missed_doses(answers, *, today, scheduled, days=MISSED_DOSES_DAYS):
    """Doses missed over the `days` local days up to and including `today`. `answers` maps a date to
    (took_medication, doses_missed); `scheduled` is doses_a_day() of the active medications."""
    first = today - dt.timedelta(days=days - 1)
    missed = []
    for day in sorted(answers):
        if first <= day <= today:
            took, count = answers[day]
            n = doses_missed_on(took, count, scheduled)
            if n:
                missed.append((day, took, n))
    return MissedDoses(total=sum(n for _, _, n in missed), days=missed)


def active_medications(participant):
    return list(Medication.objects.filter(participant=participant, active=True))


def has_active_medication(participant):
    return Medication.objects.filter(participant=participant, active=True).exists()


# ---------------------------------------------------------------------------------------------
# Reminders: one per medication and time, every day (tracker.reminders plans and sends them).


def desired_reminders(participant):
    """{(medication id, local time): fields} for every medication reminder the person's active
    medications call for (those with "remind me" on)."""
    desired = {}
    for medication in Medication.objects.filter(participant=participant, active=True, remind=True):
        for text in medication.times or []:
            at = dt.time.fromisoformat(text)
            desired[(medication.pk, at)] = {"local_time": at, "weekdays": [0, 1, 2, 3, 4, 5, 6], "on_date": None}
    return desired


# ---------------------------------------------------------------------------------------------
# The care workspace: use answers over time, adherence, the list


@dataclasses.dataclass
class CareDay:
    date: dt.date
    used_today: str
    substances: list
    took_medication: str
    doses_missed: int | None

    @property
    def used_label(self):
        return UsedToday(self.used_today).label if self.used_today else ""

    @property
    def took_label(self):
        return TookMedication(self.took_medication).label if self.took_medication else ""

    @property
    def substance_labels(self):
        labels = dict(Substance.choices)
        return [labels.get(key, key) for key in self.substances]


@dataclasses.dataclass
class CareView:
    first: dt.date
    last: dt.date
    use: UseDays
    substances: list  # [(label, days)], most days first
    days: list  # the last ADHERENCE_DAYS as CareDay, newest first
    medications: list
    scheduled: int  # doses a day now
    missed: MissedDoses  # over the last ADHERENCE_DAYS

    @property
    def has_medication_answers(self):
        return any(day.took_medication for day in self.days)


def care_view(*, participant, days, now=None):
    """The care page's block: use answers over the page's `days`, the last ADHERENCE_DAYS day by
    day (use and medication), and the medication list."""
    last = participant.local_today(now)
    first = last - dt.timedelta(days=max(days, ADHERENCE_DAYS) - 1)
    period_first = last - dt.timedelta(days=days - 1)
    rows = {day: (used, substances, took, missed) for day, used, substances, took, missed in
            CheckIn.objects.filter(participant=participant, date__gte=first, date__lte=last)
            .values_list("date", "used_today", "substances", "took_medication", "doses_missed")}
    period = [period_first + dt.timedelta(days=n) for n in range(days)]
    use = use_days({day: row[0] for day, row in rows.items()}, period)
    substance_days = Counter(key for day in period if day in rows for key in rows[day][1] or [])
    labels = dict(Substance.choices)
    recent = [last - dt.timedelta(days=n) for n in range(ADHERENCE_DAYS)]
    care_days = [CareDay(day, *rows.get(day, ("", [], "", None))) for day in recent]
    medications = list(Medication.objects.filter(participant=participant).select_related("added_by__user")
                       .order_by("-active", "name"))
    scheduled = doses_a_day(m.times for m in medications if m.active)
    missed = missed_doses({day: (row[2], row[3]) for day, row in rows.items()}, today=last, scheduled=scheduled,
                          days=ADHERENCE_DAYS)
    return CareView(first=period_first, last=last, use=use,
                    substances=[(labels.get(key, key), n) for key, n in substance_days.most_common()],
                    days=care_days, medications=medications, scheduled=scheduled, missed=missed)

