"""The JSON API, fuzzed from its own OpenAPI schema: no 5xx, no answer that breaks the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Business rules (a required answer, an unknown question id) reject some schema-valid requests with a
# documented 422; that is correct, so "positive data acceptance" is not one of the checks.
# The demo council is loaded once per worker and backend: keep its users on one worker.
pytestmark = pytest.mark.xdist_group("demo")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_api_holds_its_schema(demo_client):
    schema = schemathesis.openapi.from_asgi("/openapi.json", demo_client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def check(case):
            case.call_and_validate(checks=CHECKS)

        check()
