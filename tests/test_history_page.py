"""The History page's days are written in Python (tracker/web/history.py, issue 20). They must be
what the template they replaced wrote, character for character, for every kind of day, in English
and in Spanish: tests/reference/history_days.html is that template."""

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
from django.template import engines
from django.utils import timezone, translation

from tracker import selectors, services
from tracker.web.history import days_html

REFERENCE = Path(__file__).parent / "reference" / "history_days.html"


def spaced(html):
    """Each run of white space as one space: what a browser makes of it between these tags."""
    return re.sub(r"\s+", " ", html).strip()


@pytest.fixture
def alice_with_a_month(alice, now):
    """Thirty days holding every branch of a day: no check-in; a check-in with and without sleep,
    usual times, quality, stress (0 too), mood, a win with markup in it; urges passed, reached out
    and a setback, with and without a length and an outcome; reflections of one and of two wins."""
    today = alice.local_today()
    put = services.checkin_put
    put(participant=alice, id=uuid.uuid4(), data={
        "date": today, "in_bed_at": dt.time(23, 0), "final_wake_at": dt.time(6, 30), "usual_times": True,
        "sleep_quality": 4, "stress": 0, "mood": 2, "small_win": 'Said "no" <b>twice</b> & meant it'})
    put(participant=alice, id=uuid.uuid4(), data={"date": today - dt.timedelta(days=1), "stress": 7})
    put(participant=alice, id=uuid.uuid4(), data={
        "date": today - dt.timedelta(days=3), "in_bed_at": dt.time(22, 0), "final_wake_at": dt.time(22, 40)})
    put(participant=alice, id=uuid.uuid4(), data={"date": today - dt.timedelta(days=5), "mood": 5, "sleep_quality": 1})
    noon = timezone.localtime(timezone.now(), alice.zone).replace(hour=12, minute=5)
    for days_ago, data in ((0, {"intensity": 6, "duration_min": 15, "outcome": "passed"}),
                           (0, {"intensity": 9, "duration_min": 75, "outcome": "used"}),
                           (2, {"intensity": 0}),
                           (4, {"intensity": 3, "duration_min": 60, "outcome": "reached_out"}),
                           (29, {"intensity": 10, "outcome": "used"})):
        services.urge_put(participant=alice, id=uuid.uuid4(), data={
            "occurred_at": noon - dt.timedelta(days=days_ago, minutes=7 * len(data)), **data})
    monday = today - dt.timedelta(days=today.weekday())
    services.reflection_put(participant=alice, id=uuid.uuid4(), data={"week_start": monday, "wins": ["One"]})
    services.reflection_put(participant=alice, id=uuid.uuid4(), data={
        "week_start": monday - dt.timedelta(days=7), "wins": ["One", "Two <i>"]})
    return alice


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_days_are_what_the_template_wrote(alice_with_a_month, language):
    alice = alice_with_a_month
    days = selectors.history(participant=alice, days=30)
    kinds = {"missing": any(d.checkin is None for d in days), "setback": any(u.is_setback for d in days for u in d.urges),
             "reflection": sum(1 for d in days if d.reflection)}
    assert kinds == {"missing": True, "setback": True, "reflection": 2}  # the month holds every branch
    reference = engines["django"].from_string(REFERENCE.read_text())
    with translation.override(language), timezone.override(alice.zone):
        expected = reference.render({"days": days})
        written = days_html(days)
    assert spaced(written) == spaced(expected)
    assert ("Agregar uno" if language == "es" else "Add one") in written


def test_the_page_shows_them(alice_with_a_month, client):
    client.force_login(alice_with_a_month.user)
    page = client.get("/history/").text
    assert 'Said &quot;no&quot; &lt;b&gt;twice&lt;/b&gt; &amp; meant it' in page
    assert page.count('class="setback"') == 2
    assert '<time datetime="11:51" data-clock>11:51</time>' in page  # 12:05 less 14 min, New York time
    assert "2 wins written down." in page and "1 win written down." in page
