"""Running ``loa`` in-process against a temp SQLite file, and reading what it printed."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session
from typer.testing import CliRunner, Result

from studio.cli import app
from studio.db import make_engine

ANSI = re.compile(r"\x1b\[[0-9;]*m")
PASSWORD_SHOWN = re.compile(r"[Mm]ật khẩu \(chỉ hiện một lần\): (\S+)")
CREATED_BULLETIN = re.compile(r"Đã tạo bản tin #(\d+) ")


def plain(text: str) -> str:
    return ANSI.sub("", text)


def shown_password(output: str) -> str:
    match = PASSWORD_SHOWN.search(output)
    assert match is not None, output
    return match.group(1)


@dataclass
class Loa:
    """``loa`` with LOA_DATABASE_URL and LOA_VAR_DIR pointing into a test's temp dir."""

    tmp_path: Path
    runner: CliRunner

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.tmp_path / 'cli.db'}"

    @property
    def env(self) -> dict[str, str]:
        return {
            "LOA_DATABASE_URL": self.database_url,
            "LOA_VAR_DIR": str(self.tmp_path / "var"),
            "COLUMNS": "200",  # rich tables then keep one row per line
        }

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(app, list(args), env=self.env, input=input)

    def ok(self, *args: str, input: str | None = None) -> str:
        result = self(*args, input=input)
        assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
        assert result.stderr == ""
        return plain(result.stdout)

    def refused(self, *args: str, input: str | None = None) -> str:
        """An operator mistake: exit 1 and exactly one line ``Lỗi: ...`` on stderr."""
        result = self(*args, input=input)
        assert result.exit_code == 1, (result.output, result.exception)
        assert isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
        assert result.stdout == ""
        lines = plain(result.stderr).splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith("Lỗi: "), lines
        return lines[0]

    def usage_error(self, *args: str) -> str:
        result = self(*args)
        assert result.exit_code == 2, (result.output, result.exception)
        assert isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
        return plain(result.output)

    @contextmanager
    def session(self) -> Iterator[Session]:
        engine = make_engine(self.database_url)
        try:
            with Session(engine) as session:
                yield session
        finally:
            engine.dispose()


def clean_environment() -> dict[str, str]:
    """The caller's environment without any LOA_ setting."""
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("LOA_")}
