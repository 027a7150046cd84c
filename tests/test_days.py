"""tracker.web.days.day_text writes a day as Django's date_format does (issue 20: a faster path for
pages that write hundreds of days). Compared for every day of a leap year and a common one, for
every format Steady writes days with (as written and as translated), in English and in Spanish."""

import datetime as dt

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tracker.web.days import day_text

# Every format the charts, History, My progress and the care team's pages write a day with.
FORMATS = ["D j M", "j M", "l j F", "D j M Y", "j M Y", "D", "j F", "l", "d/m/Y", r"j \d\e F",
           r"\W\e\e\k \o\f j M", "n-j-Y", "b j"]
# Codes day_text does not write: Django writes these.
OTHERS = ["N j", "DATE_FORMAT", "SHORT_DATE_FORMAT", "jS F", "L", "", None]
DAYS = [dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(366)] + \
       [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_day_in_every_format_is_what_django_writes(language):
    with translation.override(language):
        formats = [*FORMATS, *[_(f) for f in FORMATS], *OTHERS]
        assert _("D j M") != "D j M" or language == "en"  # the Spanish formats are translated
        for fmt in formats:
            written = [day_text(day, fmt) for day in DAYS]
            assert written == [date_format(day, fmt) for day in DAYS], fmt
        assert day_text(dt.date(2026, 11, 23), _("l j F")) == ("lunes 23 de noviembre" if language == "es"
                                                               else "Monday 23 November")


def test_a_date_and_time_goes_to_django():
    instant = dt.datetime(2026, 11, 23, 18, 5, tzinfo=dt.UTC)
    assert day_text(instant, "D j M, H:i") == date_format(instant, "D j M, H:i") == "Mon 23 Nov, 18:05"
