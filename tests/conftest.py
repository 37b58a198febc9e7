"""Suite-wide ordering: browser tests run last.

Playwright's sync API keeps an event loop running in the main thread for the rest of the session
once a browser is open, so tests that call asyncio.run must come before it; fast feedback first, too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: Path(str(item.fspath)).is_relative_to(E2E))
