"""The API as other people's code meets it: a client generated from the live schema by
openapi-python-client, at its default settings, does the common things through its typed code
alone (no hand-written request)."""

import datetime as dt
import importlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tracker.models import CheckIn, Urge

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def generated(live_server, tmp_path):
    """The package openapi-python-client makes from /api/schema/, imported."""
    if not GENERATOR.exists():
        pytest.skip("openapi-python-client is not installed (pip install -e '.[test]')")
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # it runs ruff
    result = subprocess.run(
        [str(GENERATOR), "generate", "--url", f"{live_server.url}/api/schema/", "--output-path", str(tmp_path / "client")],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path / "client"))
    try:
        for name in [m for m in sys.modules if m == "steady_api_client" or m.startswith("steady_api_client.")]:
            del sys.modules[name]
        yield importlib.import_module("steady_api_client")
    finally:
        sys.path.remove(str(tmp_path / "client"))
        shutil.rmtree(tmp_path / "client", ignore_errors=True)


def test_a_generated_client_gets_a_token_writes_replays_and_reads(generated, live_server, alice):
    from steady_api_client import AuthenticatedClient, Client
    from steady_api_client.api.v1 import (
        v1_auth_token_create,
        v1_checkins_list,
        v1_checkins_update,
        v1_progress_retrieve,
        v1_safety_plan_retrieve,
        v1_urges_update,
    )
    from steady_api_client.models import (
        AuthTokenRequest,
        CheckIn as CheckInModel,
        CheckInRequest,
        EntryConflict,
        FieldErrors,
        OutcomeEnum,
        Progress,
        SafetyPlanVersion,
        SleepQualityEnum,
        TokenAnswer,
        UrgeRequest,
    )

    # A token, through the generated (unauthenticated) client: one content type, no security.
    anonymous = Client(base_url=live_server.url)
    answer = v1_auth_token_create.sync(client=anonymous, body=AuthTokenRequest(username="alice",
                                                                               password="alice-password-1"))
    assert isinstance(answer, TokenAnswer) and answer.token
    client = AuthenticatedClient(base_url=live_server.url, token=answer.token)  # sends "Bearer <token>"

    today = alice.local_today()
    yesterday = today - dt.timedelta(days=1)
    first_id = uuid.uuid4()
    body = CheckInRequest(date=yesterday, in_bed_at="23:10", final_wake_at="06:55",
                          sleep_quality=SleepQualityEnum.VALUE_4, stress=3)
    created = v1_checkins_update.sync_detailed(entry_id=first_id, client=client, body=body)
    assert created.status_code == 201 and isinstance(created.parsed, CheckInModel)
    assert created.parsed.id == first_id and created.parsed.total_sleep_min is not None

    replayed = v1_checkins_update.sync_detailed(entry_id=first_id, client=client, body=body)
    assert replayed.status_code == 201 and replayed.parsed.id == first_id  # a replay answers the same
    assert CheckIn.objects.filter(participant=alice).count() == 1

    # A second check-in for the same day: the 409 arrives as a typed model naming the first.
    clash = v1_checkins_update.sync_detailed(entry_id=uuid.uuid4(), client=client, body=body)
    assert clash.status_code == 409 and isinstance(clash.parsed, EntryConflict)
    assert clash.parsed.existing_id == first_id and clash.parsed.date

    # Bad input: the field errors arrive typed, under the field's name.
    wrong = CheckInRequest(date=today, in_bed_at="23:10", final_wake_at="06:55", stress=11)
    refused = v1_checkins_update.sync_detailed(entry_id=uuid.uuid4(), client=client, body=wrong)
    assert refused.status_code == 400 and isinstance(refused.parsed, FieldErrors)
    assert refused.parsed.additional_properties["stress"] and isinstance(refused.parsed["stress"][0], str)
    assert CheckIn.objects.filter(participant=alice).count() == 1

    urge_id = uuid.uuid4()
    occurred = dt.datetime.combine(yesterday, dt.time(21, 30), tzinfo=alice.zone)
    urge = v1_urges_update.sync_detailed(entry_id=urge_id, client=client, body=UrgeRequest(
        occurred_at=occurred, intensity=6, duration_min=10, outcome=OutcomeEnum.PASSED))
    assert urge.status_code == 201, urge.content
    assert Urge.objects.get(pk=urge_id).intensity == 6

    # Lists with date filters: the day before yesterday holds nothing, yesterday the check-in.
    listed = v1_checkins_list.sync(client=client, from_=yesterday, to=yesterday)
    assert [entry.id for entry in listed.results] == [first_id]
    assert v1_checkins_list.sync(client=client, to=yesterday - dt.timedelta(days=1)).results == []

    plan = v1_safety_plan_retrieve.sync(client=client)
    assert isinstance(plan, SafetyPlanVersion) and plan.number == 0
    progress = v1_progress_retrieve.sync(client=client)
    assert isinstance(progress, Progress) and progress.checkin_days == 1 and progress.urge_count == 1
