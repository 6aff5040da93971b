"""Property-based API testing from the published OpenAPI document.

Schemathesis generates valid and invalid requests for every operation and runs all its
default checks: no 5xx, responses conform to the schema and to the documented status codes,
invalid data is rejected.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import settings

from calfcare.settings import load_settings
from calfcare.web.app import create_app


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    app = create_app(load_settings(data_dir=tmp_path_factory.mktemp("st"), environment="test"))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None)
def test_api(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate()
