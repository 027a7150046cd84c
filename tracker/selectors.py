"""The reads behind the participant's screens."""

import dataclasses
import datetime as dt

from .models import CheckIn, Urge, WeeklyReflection, week_start


def local_day_bounds(participant, first, last):
    """UTC instants [start, end) covering the local days first..last in the participant's zone."""
    zone = participant.zone
    start = dt.datetime.combine(first, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    return start, end


def urges_between(participant, first, last):
    """The participant's urges on the local days first..last, newest first."""
    start, end = local_day_bounds(participant, first, last)
    return Urge.objects.filter(participant=participant, occurred_at__gte=start, occurred_at__lt=end)


@dataclasses.dataclass
class Today:
    today: dt.date
    checkin: CheckIn | None
    urges_today: int
    week_wins: list
    reflection: WeeklyReflection | None


def today_summary(*, participant, now=None):
    today = participant.local_today(now)
    monday = week_start(today)
    checkins = {c.date: c for c in CheckIn.objects.filter(participant=participant, date__gte=monday, date__lte=today)}
    reflection = WeeklyReflection.objects.filter(participant=participant, week_start=monday).first()
    wins = [(day, c.small_win) for day, c in sorted(checkins.items()) if c.small_win]
    wins += [(None, line) for line in (reflection.wins if reflection else [])]
    return Today(
        today=today,
        checkin=checkins.get(today),
        urges_today=urges_between(participant, today, today).count(),
        week_wins=wins,
        reflection=reflection,
    )


@dataclasses.dataclass
class HistoryDay:
    date: dt.date
    checkin: CheckIn | None
    urges: list
    reflection: WeeklyReflection | None  # shown on the Monday of its week


def history(*, participant, days=30, now=None):
    """The last `days` local days, newest first, with each day's check-in, urges and reflection."""
    today = participant.local_today(now)
    first = today - dt.timedelta(days=days - 1)
    checkins = {c.date: c for c in CheckIn.objects.filter(participant=participant, date__gte=first, date__lte=today)}
    reflections = {
        r.week_start: r
        for r in WeeklyReflection.objects.filter(
            participant=participant, week_start__gte=week_start(first), week_start__lte=today
        )
    }
    urges = {}
    zone = participant.zone
    for urge in urges_between(participant, first, today).order_by("occurred_at"):
        urges.setdefault(urge.occurred_at.astimezone(zone).date(), []).append(urge)
    result = []
    for offset in range(days):
        day = today - dt.timedelta(days=offset)
        reflection = reflections.get(day) if day.weekday() == 0 else None
        if offset == days - 1 and reflection is None:
            reflection = reflections.get(week_start(day))
        result.append(HistoryDay(day, checkins.get(day), urges.get(day, []), reflection))
    return result
