"""The fuzzer: schemathesis sends what /api/openapi.json describes, anonymous, as a clerk and
as an admin; no answer may be a 5xx or fall outside the description.

A bounded number of examples per operation, derandomized (the same cases every run, so a
failure reproduces), drawn from what the description allows and from what it forbids;
half of them aim at the demo hall and a real window so they get past "no such hall" into
the services.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import make_settings
from web.app import create_app

with warnings.catch_warnings():
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

schemathesis.serializer.alias("application/toml", "text/plain")  # the configuration upload
# Per operation and role: about 750 requests, under a minute on a loaded machine; set
# TONGBAN_FUZZ_EXAMPLES for a deeper run by hand (e.g. 200).
EXAMPLES = int(os.environ.get("TONGBAN_FUZZ_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
REAL = {"hall": "district", "no": 5}
SLOW_BODIES = {"replications": 2}  # the what-if simulates: keep each example quick


@pytest.fixture
def http(tmp_path: Path) -> Iterator[TestClient]:
    """The app on SQLite (the services' own tests cover PostgreSQL)."""
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'hall.db'}")
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


def _request(case: Any, real: bool, headers: dict[str, str]) -> dict[str, Any]:
    if real:
        for name, value in REAL.items():
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = value
    if isinstance(case.body, dict) and "replications" in case.body:
        case.body.update(SLOW_BODIES)
    sent = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    request: dict[str, Any] = {
        "method": sent["method"],
        "url": sent["url"],
        "headers": sent.get("headers"),
        "params": sent.get("params"),
    }
    if "json" in sent:
        request["json"] = sent["json"]
    elif sent.get("data") is not None:
        data = sent["data"]
        request["content"] = data.encode() if isinstance(data, str) else data
    return request


_STRATEGIES: dict[str, list[tuple[Any, Any]]] = {}


def strategy_of(operation: Any) -> Any:
    """Cases the description allows, and cases it does not (a wrong type, a missing field,
    a value out of bounds): both must get an answer it describes, never a 5xx."""
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    try:
        negative = operation.as_strategy(GenerationMode.NEGATIVE)
    except Exception:  # nothing of this operation can be made invalid
        return positive
    return st.one_of(positive, negative)


def operations(http: TestClient) -> list[tuple[Any, Any]]:
    """Each operation of the served description with its strategy, built once per run of
    the test module (building them is most of the cost; the three roles share them)."""
    text = http.get("/api/openapi.json").text
    if text not in _STRATEGIES:
        schema = schemathesis.openapi.from_dict(json.loads(text))
        found = [result.ok() for result in schema.get_all_operations()]
        _STRATEGIES[text] = [(op, strategy_of(op)) for op in found]
    return _STRATEGIES[text]


def fuzz(http: TestClient, headers: dict[str, str]) -> list[str]:
    """Every operation with EXAMPLES cases; returns the failures found."""
    failures: list[str] = []
    for operation, strategy in operations(http):

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: report as found
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, real=st.booleans())
        def run(case: Any, real: bool) -> None:
            response = http.request(**_request(case, real, headers))
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # one operation's failure must not hide the others'
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    return failures


def sign_in(http: TestClient, username: str) -> dict[str, str]:
    response = http.post("/api/session", json={"username": username, "password": "tongban-demo"})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


@pytest.mark.parametrize("role", ["anonymous", "clerk05", "admin"])
def test_the_fuzzer_finds_no_5xx_and_no_answer_outside_the_description(
    http: TestClient, role: str
) -> None:
    headers = {} if role == "anonymous" else sign_in(http, role)
    failures = fuzz(http, headers)
    assert failures == [], "\n\n".join(failures)
