"""Fixtures for the ``loa`` command line: a temp SQLite file, optionally with the demo data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.support import Loa, shown_password


@pytest.fixture
def loa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Loa:
    for name in list(os.environ):
        if name.upper().startswith("LOA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env of the repository applies
    return Loa(tmp_path, CliRunner())


@pytest.fixture
def seeded(loa: Loa) -> str:
    """The demo data (province 91, communes 91-LX, 91-TT, 91-MHH); returns the admin password."""
    return shown_password(loa.ok("seed"))
