"""What each safety-plan version added and removed, per section: worked examples of
SafetyPlanVersion.changes_from, and the pages that show them (care plans, care version,
the participant's own versions)."""

import uuid

import pytest
from django.urls import reverse

from tracker import services
from tracker.models import SafetyPlanVersion, SectionChange

pytestmark = pytest.mark.django_db


def version(**sections):
    return SafetyPlanVersion(**sections)


def test_first_version_is_everything_added():
    first = version(warning_signs=["Skipping meals", "Payday"], helpers=[{"name": "Maria", "phone": "555-0101"}])
    assert first.changes_from(None) == [
        SectionChange("warning_signs", "Warning signs", ["Skipping meals", "Payday"], []),
        SectionChange("helpers", "People I can ask for help", ["Maria, 555-0101"], []),
    ]


def test_added_removed_and_unchanged_sections():
    before = version(warning_signs=["Skipping meals", "Payday"], reasons=["My kids"],
                     helpers=[{"name": "Maria", "phone": "555-0101"}, {"name": "Sam", "phone": ""}])
    after = version(warning_signs=["Payday", "Old friends calling"], reasons=["My kids"],
                    helpers=[{"name": "Maria", "phone": "555-0199"}, {"name": "Sam", "phone": ""}])
    assert after.changes_from(before) == [
        SectionChange("warning_signs", "Warning signs", ["Old friends calling"], ["Skipping meals"]),
        # A changed phone is the old contact removed and the new one added; Sam is unchanged.
        SectionChange("helpers", "People I can ask for help", ["Maria, 555-0199"], ["Maria, 555-0101"]),
    ]  # reasons did not change: not listed


def test_a_section_emptied_is_everything_removed_and_no_change_is_nothing():
    before = version(coping_alone=["Walk", "Shower"], professionals=[{"name": "988", "phone": "988"}])
    after = version(professionals=[{"name": "988", "phone": "988"}])
    assert after.changes_from(before) == [SectionChange("coping_alone", "Things I can do on my own", [],
                                                        ["Walk", "Shower"])]
    assert after.changes_from(after) == []


def test_an_item_written_twice_counts_twice():
    before = version(reasons=["Mum"])
    after = version(reasons=["Mum", "Mum"])
    assert after.changes_from(before) == [SectionChange("reasons", "My reasons", ["Mum"], [])]


@pytest.fixture
def two_versions(alice):
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={
        "warning_signs": ["Skipping meals"], "helpers": [{"name": "Maria", "phone": "555-0101"}]})
    services.safety_plan_save(participant=alice, id=uuid.uuid4(), author=alice.user, data={
        "warning_signs": ["Skipping meals", "Payday"], "helpers": [{"name": "Maria", "phone": "555-0199"}]})
    return alice


ADDED_PAYDAY = '<span class="plan-change__word">Added:</span> <ins>Payday</ins>'
ADDED_PHONE = '<span class="plan-change__word">Added:</span> <ins>Maria, 555-0199</ins>'
REMOVED_PHONE = '<span class="plan-change__word">Removed:</span> <del>Maria, 555-0101</del>'
FIRST_ADDED = '<span class="plan-change__word">Added:</span> <ins>Skipping meals</ins>'


def test_care_version_page_marks_what_changed(two_versions, carol_client):
    html = carol_client.get(reverse("care_safety_plan_version", args=[two_versions.pk, 2])).content.decode()
    assert ADDED_PAYDAY in html and ADDED_PHONE in html and REMOVED_PHONE in html
    assert "What changed since version 1" in html
    assert FIRST_ADDED not in html  # unchanged, only in the whole plan below
    first = carol_client.get(reverse("care_safety_plan_version", args=[two_versions.pk, 1])).content.decode()
    assert FIRST_ADDED in first and "Removed:" not in first


def test_care_plans_page_lists_each_version_changes(two_versions, carol_client):
    html = carol_client.get(reverse("care_plans", args=[two_versions.pk])).content.decode()
    for line in (ADDED_PAYDAY, ADDED_PHONE, REMOVED_PHONE, FIRST_ADDED):
        assert line in html
    assert "changed people I can ask for help" not in html


def test_participant_versions_page_lists_the_same_changes(two_versions, alice_client):
    html = alice_client.get(reverse("safety_plan_versions")).content.decode()
    for line in (ADDED_PAYDAY, ADDED_PHONE, REMOVED_PHONE, FIRST_ADDED):
        assert line in html
