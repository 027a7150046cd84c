"""My progress's check-in calendar is written in Python (tracker.web.charts.calendar_rows, issue
20). It must be what the template it replaced wrote, character for character, in English and in
Spanish: tests/reference/progress_calendar.html is that template."""

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation

from tracker import progress, services
from tracker.web.charts import calendar_rows

REFERENCE = Path(__file__).parent / "reference" / "progress_calendar.html"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("days", [7, 30, 90])
def test_the_calendar_is_what_the_template_wrote(alice, now, language, days):
    today = alice.local_today()
    for back in (0, 1, 2, 5, 13, 29, 31, 60, 89):
        services.checkin_put(participant=alice, id=uuid.uuid4(), data={"date": today - dt.timedelta(days=back),
                                                                        "stress": 2})
    alice.created_at -= dt.timedelta(days=120)  # joined before the period: every day of it counts
    alice.save(update_fields=["created_at"])
    figures = progress.progress(participant=alice, days=days)
    weeks = figures.calendar()
    cells = [day for week in weeks for day in week]
    assert None in cells and any(d and d.checkin for d in cells) and any(d and not d.checkin for d in cells)
    reference = engines["django"].from_string(REFERENCE.read_text())
    with translation.override(language):
        assert calendar_rows(weeks) == reference.render({"figures": figures})
        assert ("sin registro" if language == "es" else "no check-in") in calendar_rows(weeks)
