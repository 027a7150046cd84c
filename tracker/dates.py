"""The dates Steady accepts, in one place.

A date far from now is never something a person meant (a year typed as 0025, a phone's clock
reset to 1970), and date arithmetic at the ends of the calendar overflows: year 1 minus a day,
year 9999 plus a week. So every date that enters Steady has a range that fits what it means:

- an entry (a check-in's day, an urge's time, a reflection's week, a weekend plan) lies from
  EARLIEST_ENTRY to the person's own today (each model's clean() says how far past today, if at
  all: an urge a few minutes for a fast phone clock, a weekend plan two months ahead);
- a due date lies from PLAN_YEARS_BACK years back to PLAN_YEARS_AHEAD years ahead of today;
- a date in a query (?from=, ?to=, ?week=, a page's ?date=) lies from QUERY_FIRST to QUERY_LAST.

Models' clean() (and so the forms and the API, which both go through full_clean) and the query
parsers of the pages and the API use these, and `manage.py dates_out_of_range` lists stored rows
outside them.
"""

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST_ENTRY = dt.date(2000, 1, 1)
PLAN_YEARS_BACK = 1
PLAN_YEARS_AHEAD = 5
QUERY_FIRST = dt.date(1900, 1, 1)
QUERY_LAST = dt.date(2100, 12, 31)


def years_from(day, years):
    """The same day `years` later (or earlier, when negative); 28 February for a 29th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def add_months(day, months):
    """The same day `months` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def earliest_instant(zone):
    """The first instant of EARLIEST_ENTRY in this zone: entries with a time start here."""
    return dt.datetime.combine(EARLIEST_ENTRY, dt.time(0), tzinfo=zone)


def entry_day_error(day):
    """Why this day cannot hold an entry because it is too early, or None. (How far past today
    an entry may lie is each model's own rule, next to its message.)"""
    if day < EARLIEST_ENTRY:
        return _("Pick a day from %(first)s on.") % {"first": EARLIEST_ENTRY.isoformat()}
    return None


def entry_instant_error(instant, zone):
    """entry_day_error for an instant, compared as an instant (no date arithmetic that could
    overflow at year 1)."""
    if instant < earliest_instant(zone):
        return _("Pick a time from %(first)s on.") % {"first": EARLIEST_ENTRY.isoformat()}
    return None


def plan_range(today):
    """(first, last) day a due date may have, seen from `today`."""
    return years_from(today, -PLAN_YEARS_BACK), years_from(today, PLAN_YEARS_AHEAD)


def plan_day_error(day, today):
    first, last = plan_range(today)
    if day < first:
        return _("Pick a day from %(first)s on (up to a year back).") % {"first": first.isoformat()}
    if day > last:
        return _("Pick a day up to %(last)s (five years ahead).") % {"last": last.isoformat()}
    return None


def parse_query_date(value):
    """A YYYY-MM-DD date from a query, from QUERY_FIRST to QUERY_LAST; ValueError (with the
    message to show) for anything else."""
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(str(_("Enter a date as YYYY-MM-DD.")))
    if not QUERY_FIRST <= day <= QUERY_LAST:
        raise ValueError(str(_("Enter a date from %(first)s to %(last)s.")
                             % {"first": QUERY_FIRST.isoformat(), "last": QUERY_LAST.isoformat()}))
    return day


def validate_query_day(day):
    """For a form's date filter: the same range as parse_query_date."""
    if not QUERY_FIRST <= day <= QUERY_LAST:
        raise ValidationError(_("Enter a date from %(first)s to %(last)s.")
                              % {"first": QUERY_FIRST.isoformat(), "last": QUERY_LAST.isoformat()}, code="out_of_range")


def query_date_or_none(value):
    """For pages: a query date in range, or None (the page then uses its default)."""
    try:
        return parse_query_date(value)
    except ValueError:
        return None
