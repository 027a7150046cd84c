"""The caseload at desk width (issue 15, item 1): the table's rows sorted by need, name or last
check-in, narrowed by a flag and by part of a name, all kept in the URL and done in the view;
bad values fall back to the default; the one audit row names only the people shown; the page
reads in the same number of queries for 5 and 40 people."""

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from people import NOW, make_user
from signin import verified_login
from tracker import services, triage
from tracker.models import AuditEvent, Participant


def table_rows(response):
    """The participant ids of the desk table's rows, top to bottom."""
    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('<table class="case-table">'):]
    return [int(pk) for pk in re.findall(r'<tr data-participant="(\d+)">', table)]


def card_names(response):
    return re.findall(r'<li class="case card">\s*<h2><a href="[^"]+">([^<]+)</a>', response.content.decode())


@pytest.fixture
def team(alice, bob, carol, program, now):
    """Four people: alice (a strong urge, checked in 3 days ago), bob (never checked in),
    Cara Zhu (yesterday) and Dan Abel (6 days ago)."""
    cara = Participant.objects.create(user=make_user("cara", first_name="Cara", last_name="Zhu"), program=program,
                                      time_zone="America/New_York")
    dan = Participant.objects.create(user=make_user("dan", first_name="Dan", last_name="Abel"), program=program,
                                     time_zone="America/New_York")
    for p in (cara, dan):
        p.care_team.add(carol)
    Participant.objects.filter(pk__in=[alice.pk, bob.pk, cara.pk, dan.pk]).update(created_at=NOW - dt.timedelta(days=20))
    today = dt.date(2026, 11, 18)
    for p, days_ago in ((alice, 3), (cara, 1), (dan, 6)):
        services.checkin_put(participant=p, id=uuid.uuid4(), data={
            "date": today - dt.timedelta(days=days_ago), "in_bed_at": dt.time(23), "final_wake_at": dt.time(6)})
    services.urge_put(participant=alice, id=uuid.uuid4(), data={
        "occurred_at": NOW - dt.timedelta(hours=2), "intensity": 9, "outcome": "used"})
    return {"alice": alice, "bob": bob, "cara": cara, "dan": dan}


def need_order(team):
    return [row.participant.pk for row in triage.caseload(Participant.objects.filter(
        pk__in=[p.pk for p in team.values()]).select_related("user"))]


def last_audit():
    event = AuditEvent.objects.filter(resource="caseload").order_by("-id").first()
    return [int(pk) for pk in event.participants_shown.strip(",").split(",") if pk]


def test_the_default_is_most_in_need_first(team, carol_client):
    rows = table_rows(carol_client.get("/care/"))
    assert rows == need_order(team)
    assert rows[0] == team["alice"].pk   # the strong urge and the setback
    assert len(card_names(carol_client.get("/care/"))) == 4   # the phone's cards: the same people


def test_sort_by_name_and_by_last_checkin(team, carol_client):
    t = team
    by_name = table_rows(carol_client.get("/care/?sort=name"))
    assert by_name == [t["alice"].pk, t["bob"].pk, t["cara"].pk, t["dan"].pk]   # alice, bob, Cara Zhu, Dan Abel
    by_last = table_rows(carol_client.get("/care/?sort=last"))
    assert by_last == [t["bob"].pk, t["dan"].pk, t["alice"].pk, t["cara"].pk]   # never, 6, 3 and 1 days ago
    # The cards on a phone follow the same order.
    assert card_names(carol_client.get("/care/?sort=name")) == ["alice", "bob", "Cara Zhu", "Dan Abel"]


def test_a_flag_filter_and_a_name_search_narrow_the_rows_and_the_audit_row(team, carol_client):
    t = team
    before = AuditEvent.objects.filter(resource="caseload").count()
    assert table_rows(carol_client.get("/care/?flag=high_urge")) == [t["alice"].pk]
    assert last_audit() == [t["alice"].pk]
    assert AuditEvent.objects.filter(resource="caseload").count() == before + 1   # one row per page, still

    response = carol_client.get("/care/?q=ZH")   # part of a name, any case
    assert table_rows(response) == [t["cara"].pk]
    assert last_audit() == [t["cara"].pk]
    assert "1 of 4 shown" in response.content.decode()

    both = carol_client.get("/care/?sort=name&flag=no_checkin&q=a")
    no_checkin = [pk for pk in need_order(team)
                  if any(f.key == "no_checkin" for f in triage.caseload([Participant.objects.get(pk=pk)])[0].flags)]
    expected = [p.pk for p in (t["alice"], t["bob"], t["cara"], t["dan"]) if p.pk in no_checkin and "a" in str(p).casefold()]
    assert 0 < len(expected) < len(no_checkin)   # both narrow it
    assert table_rows(both) == expected and sorted(last_audit()) == sorted(expected)
    # The choices stay in the form (the URL's query is the state).
    html = both.content.decode()
    assert '<option value="no_checkin" selected>' in html and '<option value="name" selected>' in html
    assert 'name="q" type="search" value="a"' in html

    nobody = carol_client.get("/care/?q=nobody-by-this-name")
    assert nobody.status_code == 200 and table_rows_or_empty(nobody) == [] and last_audit() == []
    assert "Nobody matches" in nobody.content.decode()


def table_rows_or_empty(response):
    html = response.content.decode()
    return [int(pk) for pk in re.findall(r'<tr data-participant="(\d+)">', html)]


@pytest.mark.parametrize("query", ["?sort=bogus", "?sort=", "?flag=not_a_flag", "?flag=%00", "?sort[]=name",
                                   "?sort=name%27--", "?q=" + "x" * 5000 + "&sort=need", "?flag=high_urge&flag=x"])
def test_bad_values_fall_back_to_the_default(team, carol_client, query):
    response = carol_client.get("/care/" + query)
    rows = table_rows(response) if "q=xxx" not in query else table_rows_or_empty(response)
    if query.startswith("?q="):
        assert rows == []   # a long search is cut to 100 characters, not an error
        assert 'name="q" type="search" value="' + "x" * 100 + '"' in response.content.decode()
    elif query == "?flag=high_urge&flag=x":
        assert rows == need_order(team)   # the last value wins (x): unknown, so everyone
    else:
        assert rows == need_order(team)
    assert response.status_code == 200


def test_the_same_number_of_queries_for_5_and_40_people(program, now):
    from tracker.models import Counselor

    counts = {}
    for size in (5, 40):
        counselor = Counselor.objects.create(user=make_user(f"c{size}"), program=program)
        for n in range(size):
            p = Participant.objects.create(user=make_user(f"p{size}-{n}"), program=program, time_zone="America/New_York")
            p.care_team.add(counselor)
            services.checkin_put(participant=p, id=uuid.uuid4(), data={
                "date": dt.date(2026, 11, 10 + n % 7), "in_bed_at": dt.time(23), "final_wake_at": dt.time(6)})
        client = verified_login(Client(), counselor.user)
        client.get("/care/")   # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/care/?sort=last&q=p")
        assert len(table_rows(response)) == size
        counts[size] = len(queries)
    assert counts[5] == counts[40], counts
