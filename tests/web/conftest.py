from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from calfcare.settings import load_settings
from calfcare.web.app import create_app


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from calfcare.storage.migrate import upgrade

    data: Path = tmp_path_factory.mktemp("data")
    settings = load_settings(data_dir=data, environment="test")
    upgrade(settings.database_url)
    app = create_app(settings)
    with TestClient(app) as c:
        yield c
