"""List stored rows whose dates lie outside the ranges of tracker.dates: rows written before
those ranges existed, or by hand. One line per date: model, id, field, value. Nothing else of
the row (no health text) is printed, so the output can be shared with whoever fixes them.

A row listed here may break a page that does date arithmetic on it (year 1 minus a day); fix
or remove it, e.g. in the admin.
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from tracker import dates
from tracker.models import (
    CLOCK_SKEW,
    CheckIn,
    Task,
    Urge,
    WeekendPlan,
    WeeklyReflection,
)

# Every zone's today is within a day of UTC's: rows this close to the edges are checked one by one.
DAY = dt.timedelta(days=1)


def _entry_days(model, field, ahead, today_utc):
    """(row, value) of entries whose day is before EARLIEST_ENTRY or past the owner's today + ahead."""
    rows = model.objects.filter(Q(**{f"{field}__lt": dates.EARLIEST_ENTRY})
                                | Q(**{f"{field}__gt": today_utc + ahead - DAY})).select_related("participant")
    for row in rows.iterator():
        value = getattr(row, field)
        if value < dates.EARLIEST_ENTRY or value > row.participant.local_today() + ahead:
            yield row, field, value


def _urges(now):
    rows = Urge.objects.filter(Q(occurred_at__lt=dt.datetime.combine(dates.EARLIEST_ENTRY, dt.time(0), tzinfo=dt.UTC) + DAY)
                               | Q(occurred_at__gt=now + CLOCK_SKEW)).select_related("participant")
    for urge in rows.iterator():
        if dates.entry_instant_error(urge.occurred_at, urge.participant.zone) or urge.occurred_at > now + CLOCK_SKEW:
            yield urge, "occurred_at", urge.occurred_at


def _due_dates():
    # Seen from the day the task was last written (a due date a year back then is not wrong now).
    # The query casts a wide net (a week inside the range); each row is then checked exactly.
    written = TruncDate("updated_at")
    rows = Task.objects.filter(Q(due_date__lt=written - dt.timedelta(days=365 * dates.PLAN_YEARS_BACK - 7))
                               | Q(due_date__gt=written + dt.timedelta(days=365 * dates.PLAN_YEARS_AHEAD - 7)))
    for task in rows.select_related("participant").iterator():
        if dates.plan_day_error(task.due_date, task.participant.local_now(task.updated_at).date()):
            yield task, "due_date", task.due_date


class Command(BaseCommand):
    help = "List stored rows with a date outside the ranges Steady accepts (model, id, field, value)."

    def handle(self, *args, **options):
        now = timezone.now()
        today_utc = now.date()
        found = [
            *_entry_days(CheckIn, "date", dt.timedelta(0), today_utc),
            *_entry_days(WeeklyReflection, "week_start", dt.timedelta(0), today_utc),
            *_entry_days(WeekendPlan, "weekend_of", dt.timedelta(days=60), today_utc),
            *_urges(now),
            *_due_dates(),
        ]
        for row, field, value in found:
            self.stdout.write(f"{type(row).__name__}\t{row.pk}\t{field}\t{value.isoformat()}")
        self.stderr.write(f"{len(found)} out of range.")
