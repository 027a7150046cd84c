"""Schemathesis against /api/schema/, signed in as a participant, with every check it has:
no server error, and no answer outside the schema (status, content type, body, headers)."""

import pytest
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

import schemathesis
from project.wsgi import application
from schemathesis.checks import CHECKS, load_all_checks

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
load_all_checks()
# Every check Schemathesis has, but one: "positive data acceptance" expects any body that fits the
# schema to be accepted, and a check-in whose wake time is before its bed time fits the schema yet
# is wrong. Those answers are 400s with field errors, which the schema documents.
ALL_CHECKS = [check for check in CHECKS.get_all() if check.__name__ != "positive_data_acceptance"]


@pytest.fixture
def token(alice):
    return Token.objects.create(user=alice.user).key


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_within_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=ALL_CHECKS)
