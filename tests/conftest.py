"""Shared fixtures: the kubectl oracle and the reference material in ../shared.

Outside CI a missing kubectl or ../shared skips the tests that need it, with
the reason; under CI=true they fail instead, so the oracle always runs there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        _unavailable("kubectl is not on PATH")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "reference").is_dir():
        _unavailable(f"reference material not found at {SHARED}")
    return SHARED


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kubectl: compares with the kubectl kustomize oracle")


@pytest.fixture(autouse=True, scope="session")
def _validation_cache_in_a_temporary_directory(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The CLI's validation cache (kustgen.validate.cache) never touches the user's own."""
    os.environ["KUSTGEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("kustgen-cache"))
