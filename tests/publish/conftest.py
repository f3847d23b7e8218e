"""One open store of the bundled package for the publishing tests (opening it validates the whole package)."""

from __future__ import annotations

import pytest

from marketpower.store import Store


@pytest.fixture(scope="session")
def aistack() -> Store:
    return Store.open()
