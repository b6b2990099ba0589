"""Property-based tests generated from the OpenAPI schema, for every operation: valid and
invalid requests alike must never cause a 5xx, and every response must match the schema
(status code, content type and body)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.bookstore.conftest import ADMIN_PASSWORD, ADMIN_USERNAME, sign_in

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 15


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_honours_its_schema(app, client, mode):
    # Signed in as the admin, so generated requests get past authentication and reach the
    # validation and the database behind every route.
    admin = sign_in(client, ADMIN_USERNAME, ADMIN_PASSWORD)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:
        takes_input = any(True for _ in operation.iter_parameters()) or len(operation.body) > 0
        if mode is GenerationMode.NEGATIVE and not takes_input:
            continue  # nothing to get wrong

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def honours_schema(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=admin, checks=CHECKS)

        honours_schema()
