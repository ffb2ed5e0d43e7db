"""``loa jingle add|list|assign|remove``, run in-process on a migrated database."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from media.store import MediaStore
from studio.db import make_engine
from studio.models import Station
from tests.cli.support import Loa
from tests.factories import build_world
from tests.jingles_support import CHIME_S, chime_wav, files_under, jingle_audit, jingle_rows
from tests.voices_support import stored_files

ADDED = re.compile(r"^Đã thêm nhạc hiệu #(\d+) «(.+)» \((\d+,\d) giây, (-\d+,\d) LUFS\)\.$")


@pytest.fixture
def jl(loa: Loa, monkeypatch: pytest.MonkeyPatch, migrated_template: Path) -> Loa:
    """`loa` on a migrated database with the test world (stations sa, sb, sp)."""
    monkeypatch.setenv("LOA_TTS__CHAINS", '{"vi": ["espeak"], "km": []}')
    shutil.copyfile(migrated_template, loa.tmp_path / "cli.db")
    with loa.session() as session:
        build_world(session)
    return loa


@pytest.fixture(scope="module")
def chime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return chime_wav(tmp_path_factory.mktemp("cli-jingles") / "chuong.wav")


@contextmanager
def engine_of(loa: Loa) -> Iterator[Engine]:
    engine = make_engine(loa.database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def openings(loa: Loa, code: str) -> tuple[int | None, int | None]:
    with loa.session() as session:
        station = session.exec(select(Station).where(Station.code == code)).one()
        return station.opening_jingle_id, station.closing_jingle_id


def add(loa: Loa, chime: Path, title: str) -> int:
    line = loa.ok("jingle", "add", str(chime), "--title", title).strip()
    match = ADDED.match(line)
    assert match is not None, line
    assert match.group(2) == title
    seconds = float(match.group(3).replace(",", "."))
    assert abs(seconds - (CHIME_S + 0.1)) <= 0.1, line
    assert abs(float(match.group(4).replace(",", ".")) + 16.0) <= 0.5, line
    return int(match.group(1))


def test_add_list_assign_remove(jl: Loa, chime: Path) -> None:
    var = jl.tmp_path / "var"
    first = add(jl, chime, "Nhạc hiệu Lương Xuân")
    second = add(jl, chime, "Kết thúc")
    assert chime.is_file()  # the operator's file is left alone
    with engine_of(jl) as engine:
        rows = jingle_rows(engine)
    assert [(r.id, r.title) for r in rows] == [
        (first, "Nhạc hiệu Lương Xuân"),
        (second, "Kết thúc"),
    ]
    assert rows[0].sha256 == rows[1].sha256  # the same audio, stored once
    assert MediaStore(var / "media").verify(rows[0].sha256, "mp3")
    assert len(stored_files(var / "media")) == 1
    assert files_under(var / "work") == []

    out = jl.ok("jingle", "assign", "sa", "--opening", str(first), "--closing", str(second))
    assert out == f"Đài sa: mở đầu #{first}, kết thúc #{second}.\n"
    assert openings(jl, "sa") == (first, second)
    listing = jl.ok("jingle", "list")
    assert "2 nhạc hiệu" in listing
    assert re.search(rf"│ {first}\s+│ Nhạc hiệu Lương Xuân .*│ sa \(mở đầu\)", listing), listing
    assert re.search(rf"│ {second}\s+│ Kết thúc .*│ sa \(kết thúc\)", listing), listing

    refused = jl.refused("jingle", "remove", str(first))
    assert refused == (
        f"Lỗi: Nhạc hiệu {first} đang được dùng ở đài sa (mở đầu); hãy bỏ gán trước khi xoá"
    )
    # Only what is named changes; "none" takes the jingle off.
    assert jl.ok("jingle", "assign", "sa", "--opening", "none") == (
        f"Đài sa: mở đầu không có, kết thúc #{second}.\n"
    )
    assert openings(jl, "sa") == (None, second)
    assert jl.ok("jingle", "remove", str(first)) == f"Đã xoá nhạc hiệu #{first}.\n"
    assert "1 nhạc hiệu" in jl.ok("jingle", "list")

    with engine_of(jl) as engine:
        assert jingle_audit(engine) == [
            ("jingle.create", str(first), "system"),
            ("jingle.create", str(second), "system"),
            ("jingle.delete", str(first), "system"),
        ]


def test_add_refusals_leave_nothing(jl: Loa, tmp_path: Path) -> None:
    missing = jl.refused("jingle", "add", str(tmp_path / "khong-co.wav"), "--title", "X")
    assert missing == f"Lỗi: không tìm thấy tệp {tmp_path / 'khong-co.wav'}"
    text = tmp_path / "ghi-chu.mp3"
    text.write_text("Không phải âm thanh.\n" * 30, encoding="utf-8")
    assert jl.refused("jingle", "add", str(text), "--title", "X").startswith(
        "Lỗi: Tệp không phải âm thanh"
    )
    long = chime_wav(tmp_path / "dai.wav", seconds=31.0, rate=8000)
    assert jl.refused("jingle", "add", str(long), "--title", "X") == (
        "Lỗi: Bản ghi dài 33 giây, vượt giới hạn 30 giây"
    )
    blank = jl.refused("jingle", "add", str(text), "--title", "  ")
    assert blank == "Lỗi: Nhạc hiệu cần có tên (title)"
    assert "--title" in jl.usage_error("jingle", "add", str(text))
    with engine_of(jl) as engine:
        assert jingle_rows(engine) == []
        assert jingle_audit(engine) == []
    var = jl.tmp_path / "var"
    assert files_under(var / "work") == []
    assert files_under(var / "media") == []


def test_assign_and_remove_refusals(jl: Loa, chime: Path) -> None:
    jingle_id = add(jl, chime, "Mở đầu")
    assert jl.refused("jingle", "assign", "khong-co", "--opening", str(jingle_id)) == (
        "Lỗi: Không tìm thấy đài có mã 'khong-co'"
    )
    assert jl.refused("jingle", "assign", "sa", "--opening", "999") == (
        "Lỗi: Không tìm thấy nhạc hiệu 999"
    )
    assert jl.refused("jingle", "assign", "sa", "--closing", "99999999999") == (
        "Lỗi: không tìm thấy nhạc hiệu 99999999999"
    )
    assert jl.refused("jingle", "assign", "sa", "--opening", "chuong") == (
        "Lỗi: --opening phải là mã số nhạc hiệu (xem `loa jingle list`) hoặc «none»"
    )
    assert jl.refused("jingle", "assign", "sa") == (
        "Lỗi: cần ít nhất một trong hai: --opening hoặc --closing"
    )
    assert openings(jl, "sa") == (None, None)
    assert jl.refused("jingle", "remove", "999") == "Lỗi: Không tìm thấy nhạc hiệu 999"
    assert jl.refused("jingle", "remove", "99999999999") == (
        "Lỗi: Không tìm thấy nhạc hiệu 99999999999"
    )
    with engine_of(jl) as engine:
        assert [r.id for r in jingle_rows(engine)] == [jingle_id]
