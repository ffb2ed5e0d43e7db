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
from studio.models import Bulletin
from tests.factories import ready_clip_id

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
    audio_ready: bool = True

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
        argv = list(args)
        # Like an operator who rendered before submitting and listened before approving: the
        # version gets a ready clip, and approve names it unless the test passes --clip itself
        # (the rules are tested in test_cli_bulletins.py::test_submit_and_approve_need_a_clip).
        if self.audio_ready and argv[:2] in (["bulletin", "submit"], ["bulletin", "approve"]):
            clip_id = self.ready_clip(argv[2])
            if argv[1] == "approve" and clip_id is not None and "--clip" not in argv:
                argv += ["--clip", str(clip_id)]
        return self.runner.invoke(app, argv, env=self.env, input=input)

    def ready_clip(self, bulletin_id: str) -> int | None:
        """A ready clip for the bulletin's current version (None if there is no such bulletin)."""
        if not bulletin_id.isdigit():
            return None
        engine = make_engine(self.database_url)
        try:
            with Session(engine) as session:
                if session.get(Bulletin, int(bulletin_id)) is None:
                    return None
                clip_id = ready_clip_id(session, int(bulletin_id))
                session.commit()
                return clip_id
        finally:
            engine.dispose()

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
