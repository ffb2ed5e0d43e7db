"""supervisord's config: escaping for its ini dialect, refusals, atomic and checked writes."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from supervisor.options import ServerOptions  # type: ignore[import-untyped]

from studio.supervise import Program, render_config
from studio.supervise_config import write_config
from tests.supervise_support import TRICKY_ARGS

TRICKY_ENV = {"RATE": "100%", "LIST": "a,b c", "SEMI": "p;q#1", "PAD": " x ", "EMPTY": ""}


def _parsed(conf: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """What supervisor itself reads from the file: argv and environment per program."""
    options = ServerOptions()
    options.configfile = str(conf)
    options.process_config(do_usage=False)
    return {
        g.name: (shlex.split(g.process_configs[0].command), g.process_configs[0].environment or {})
        for g in options.process_group_configs
    }


def test_config_escapes_percent_comments_and_quotes(tmp_path: Path) -> None:
    program = Program("tricky", ("/bin/echo", *TRICKY_ARGS), environment=TRICKY_ENV)
    text = render_config(
        [program],
        socket_path=tmp_path / "s.sock",
        pidfile=tmp_path / "sd.pid",
        logfile=tmp_path / "sd.log",
        listener_command=("/opt/loa 1%/bin/loa", "supervisor-events"),
        listener_environment={"LOA_DATABASE_URL": "sqlite:////tmp/50%/loa.db"},
    )
    conf = tmp_path / "supervisord.conf"
    write_config(conf, text)
    assert oct(conf.stat().st_mode & 0o777) == "0o600"
    parsed = _parsed(conf)
    assert parsed["tricky"] == (["/bin/echo", *TRICKY_ARGS], TRICKY_ENV)
    assert parsed["loa-events"] == (
        ["/opt/loa 1%/bin/loa", "supervisor-events"],
        {"LOA_DATABASE_URL": "sqlite:////tmp/50%/loa.db"},
    )
    assert "[unix_http_server]" in text
    assert "chmod=0700" in text
    assert "inet_http_server" not in text
    assert "events=PROCESS_STATE\n" in text


@pytest.mark.parametrize(
    "name", ["two words", "50%", "group:name", "a/b", "", "-dash", "loa-events", "x" * 65]
)
def test_bad_program_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="program name"):
        Program(name, ("/bin/true",))


@pytest.mark.parametrize(
    ("program", "match"),
    [
        (Program("a", ("/bin/echo", "line\nbreak")), "control character"),
        (Program("a", ("/bin/true",), environment={"Q": 'say "hi"'}), "quotes"),
        (Program("a", ("/bin/true",), environment={"Q": "x\ny"}), "control character"),
        (Program("a", ("/bin/true",), environment={"Q": "p ;q"}), "comment"),
        (Program("a", ("/bin/true",), directory=Path("/tmp/a ;b")), "comment"),
    ],
)
def test_values_supervisor_cannot_hold_are_refused(
    tmp_path: Path, program: Program, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        render_config(
            [program],
            socket_path=tmp_path / "s.sock",
            pidfile=tmp_path / "p",
            logfile=tmp_path / "l",
            listener_command=("loa",),
        )


def test_a_refused_config_leaves_the_previous_file(tmp_path: Path) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text("previous")
    with pytest.raises(ValueError, match="'soon' in section 'program:a'"):
        write_config(conf, "[supervisord]\n\n[program:a]\ncommand=/bin/true\nstartsecs=soon\n")
    assert conf.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["supervisord.conf"]
