"""Property-based API testing with schemathesis against /openapi.json on a seeded workspace: no input, valid or
not, may make the server answer 5xx, and every answer must match the documented status codes and schemas.

(schemathesis' own pytest plugin does not run on pytest 9 yet, so the operations are walked here with hypothesis.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import Seeded, bearer, make_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 6, schemathesis.GenerationMode.NEGATIVE: 6}


@pytest.fixture
def fuzz_app(seeded: Seeded) -> Iterator[FastAPI]:
    app = make_app(seeded.root, web=False)
    with TestClient(app):  # runs the lifespan (job runner) around the test
        yield app


@pytest.mark.slow
def test_no_input_makes_a_5xx(fuzz_app: FastAPI, seeded: Seeded) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    calls = 0
    for operation in operations:
        for mode, examples in EXAMPLES.items():

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: schemathesis.Case) -> None:
                nonlocal calls
                # an admin's key, so calls get past the role checks; signing out would end nothing (API key)
                response = case.call(headers=bearer(seeded, "ada"))
                calls += 1
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
                assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label
    assert calls > 150
