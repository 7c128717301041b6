"""The API fuzzed against its own OpenAPI document with schemathesis (issue 11's acceptance):
every operation (api-staff's too: the walk follows the document), valid and invalid input,
with a director, a prescriber and a network token on the test world. Every default check of
schemathesis runs: no 5xx, documented status codes, content types and headers, responses
matching their schema, invalid input refused with a 4xx, authentication not ignored…

Bounded: ``PARCOURS_API_FUZZ_EXAMPLES`` examples per operation and generation mode (default
15; CI may raise it), derandomized (the same cases on every run, so a failure reproduces).
Writes the fuzz makes are valid ones or refused cleanly; they are rolled back with the test.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

EXAMPLES = int(os.environ.get("PARCOURS_API_FUZZ_EXAMPLES", "15"))

#: Schemathesis's defaults, but for two:
#: - input that its schema lets through may still break a rule no JSON Schema says (a birth
#:   date in the future, a site of another school, a period outside the years the web form
#:   accepts…). The API answers it with 422 and the French message of the web form, so 422
#:   counts as a correct answer to schema-valid input;
#: - unknown query parameters are ignored, as documented (docs/api.md), not refused.
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"allow-extra-parameters": False},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
            }
        },
    }
)


@pytest.fixture
def wsgi_app(settings):
    """Django's WSGI application, called in the test's transaction: like the test client, it
    must not close the connection at each request's end."""
    settings.PARCOURS_API_RATE = None  # the fuzz sends more than a client would
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(operation, mode: GenerationMode, headers: dict[str, str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        case.call_and_validate(headers=headers)

    run()


@pytest.mark.parametrize("who", ["director", "prescriber", "network"])
def test_the_api_holds_to_its_openapi_document(world, token_for, wsgi_app, who):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app, config=CONFIG)
    headers = {"Authorization": f"Bearer {token_for(world.members[who])}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers)
