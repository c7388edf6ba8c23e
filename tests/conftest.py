"""Shared test options: golden files under tests/golden/, rewritten only with --update-golden."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files in tests/golden/ from the current output")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``golden(name, text)``: compare ``text`` with tests/golden/<name> (or rewrite it)."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path}; run pytest --update-golden to create it"
        assert text == path.read_text(encoding="utf-8"), (
            f"{name} differs from its golden file; if the change is on purpose, "
            "run pytest --update-golden and review the diff")

    return check


# -- the practice web app (tests/test_web.py, test_practice_store.py; helpers in webclient.py)
@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A fresh SQLite practice store."""
    return tmp_path / "progress.db"


@pytest.fixture
def client(store_path: Path):  # a Flask test client
    """The practice app on that store, through Flask's test client."""
    from cnnquiz.web import create_app

    return create_app(store_path, seed=1).test_client()
