"""One time zone per screen, said once: a counselor's own pages (caseload, audit log,
invitations) in the counselor's zone, a participant's pages in that participant's zone."""

import re
import uuid

import pytest
from django.urls import reverse

from people import NOW, make_user
from tracker import services, triage
from tracker.models import AuditEvent, Counselor

pytestmark = pytest.mark.django_db

MADRID = "Europe/Madrid"
LA = "America/Los_Angeles"
# NOW (tests/people.py) is Wed 18 Nov 2026 17:00 UTC: 18:00 in Madrid, 09:00 in Los Angeles.
IN_MADRID = "Wed 18 Nov, 18:00"
IN_LA = "Wed 18 Nov, 09:00"


@pytest.fixture
def madrid_carol(carol):
    carol.time_zone = MADRID
    carol.is_program_admin = True
    carol.save()
    return carol


def acknowledge_safety_plan_flag(client, participant):
    flag = next(f for f in triage.caseload([participant])[0].flags if f.key == "safety_plan")
    response = client.post(reverse("care_acknowledge", args=[participant.pk]),
                           {"flag": flag.key, "evidence": flag.evidence, "next": reverse("care_caseload")})
    assert response.status_code == 302


def times_named(html, zone):
    return html.count(zone)


def test_acknowledgement_time_follows_the_screen_zone(now, madrid_carol, bob, carol_client):
    acknowledge_safety_plan_flag(carol_client, bob)

    caseload = carol_client.get(reverse("care_caseload")).content.decode()
    assert IN_MADRID in caseload
    assert IN_LA not in caseload

    page = carol_client.get(reverse("care_participant", args=[bob.pk])).content.decode()
    assert IN_LA in page
    assert IN_MADRID not in page


def test_a_flag_text_time_follows_the_screen_zone(now, madrid_carol, bob, carol_client):
    services.urge_put(participant=bob, id=uuid.uuid4(), data={"occurred_at": NOW, "intensity": 9})
    caseload = carol_client.get(reverse("care_caseload")).content.decode()
    assert f"Urge of 9/10 on {IN_MADRID}" in caseload
    assert IN_LA not in caseload
    page = carol_client.get(reverse("care_participant", args=[bob.pk])).content.decode()
    assert f"Urge of 9/10 on {IN_LA}" in page
    assert IN_MADRID not in page


def test_each_screen_names_its_zone_once(now, madrid_carol, alice, bob, carol_client):
    acknowledge_safety_plan_flag(carol_client, bob)
    for name in ("care_caseload", "care_audit", "care_invitations"):
        html = carol_client.get(reverse(name)).content.decode()
        assert times_named(html, MADRID) == 1, name
        assert LA not in html and "America/New_York" not in html and "UTC" not in html, name
        assert f"Times in your time zone ({MADRID})" in html, name
    for name in ("care_participant", "care_summary", "care_plans", "care_goals", "care_timeline"):
        html = carol_client.get(reverse(name, args=[bob.pk])).content.decode()
        assert times_named(html, LA) == 1, name
        assert MADRID not in html, name
        assert f"Times in {bob}’s time zone ({LA})" in html, name


def test_audit_log_times_are_in_the_counselor_zone(now, madrid_carol, bob, carol_client):
    carol_client.get(reverse("care_participant", args=[bob.pk]))
    assert AuditEvent.objects.filter(participant=bob, resource="overview").exists()
    html = carol_client.get(reverse("care_audit")).content.decode()
    assert "2026-11-18 18:00:00" in html  # 17:00 UTC
    assert "2026-11-18 17:00:00" not in html


def test_a_counselor_starts_in_the_default_zone(settings, program):
    counselor = Counselor.objects.create(user=make_user("nina"), program=program)
    assert counselor.time_zone == settings.DEFAULT_PARTICIPANT_TIME_ZONE


def test_settings_page_changes_the_zone_without_an_audit_row(madrid_carol, carol_client):
    page = carol_client.get(reverse("care_settings"))
    assert page.status_code == 200
    assert 'list="time-zones"' in page.content.decode() and '<option value="Asia/Tokyo">' in page.content.decode()
    rows = AuditEvent.objects.count()
    response = carol_client.post(reverse("care_settings"), {"time_zone": "Asia/Tokyo"})
    assert response.status_code == 302 and response["Location"] == reverse("care_settings")
    madrid_carol.refresh_from_db()
    assert madrid_carol.time_zone == "Asia/Tokyo"
    assert AuditEvent.objects.count() == rows  # the counselor's own record, not participant data
    assert "Times in your time zone (Asia/Tokyo)" in carol_client.get(reverse("care_caseload")).content.decode()


def test_settings_form_refuses_an_unknown_zone_beside_the_field(madrid_carol, carol_client):
    response = carol_client.post(reverse("care_settings"), {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 200
    html = response.content.decode()
    field = re.search(r'<div class="field field--error">.*?</div>', html, re.S).group(0)
    assert 'class="error" id="id_time_zone_error"' in field
    assert 'value="Mars/Olympus_Mons"' in field
    madrid_carol.refresh_from_db()
    assert madrid_carol.time_zone == MADRID


def test_settings_is_for_counselors_only(alice_client):
    assert alice_client.get(reverse("care_settings")).status_code in (302, 404)


def test_staff_menu_links_the_settings(madrid_carol, carol_client):
    assert f'href="{reverse("care_settings")}"' in carol_client.get(reverse("care_caseload")).content.decode()


def test_the_care_api_answers_in_utc_whatever_the_counselor_zone(now, madrid_carol, bob, carol_client):
    services.urge_put(participant=bob, id=uuid.uuid4(), data={"occurred_at": NOW, "intensity": 4})
    urges = carol_client.get(f"/api/v1/care/participants/{bob.pk}/urges/").json()["results"]
    assert [u["occurred_at"] for u in urges] == ["2026-11-18T17:00:00Z"]
