"""``loa tts normalize|voices|say`` and ``loa bulletin render``, run in-process."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlmodel import col, select

from studio.audit import Actor
from studio.lexicon import add_entry
from studio.models import Clip, LexiconEntryCreate
from studio.types import ClipStatus, Language
from tests.cli.support import Loa, plain
from tests.conftest import require_binary
from tests.factories import build_world, make_bulletin
from tests.tts.edge_server import running
from tests.voices_support import KHMER_BODY, KHMER_TITLE, SHORT_BODY, SHORT_TITLE, ffprobe

OFFLINE = '{"vi": ["espeak"], "km": []}'


@pytest.fixture
def tts(loa: Loa, monkeypatch: pytest.MonkeyPatch, migrated_template: Path) -> Loa:
    """`loa` on a migrated database (a copy of the session's), with chains that never reach
    the network."""
    monkeypatch.setenv("LOA_TTS__CHAINS", OFFLINE)
    shutil.copyfile(migrated_template, loa.tmp_path / "cli.db")
    return loa


def no_traceback(*outputs: str) -> None:
    for output in outputs:
        assert "Traceback" not in output


def test_normalize_prints_exactly_what_will_be_read(tts: Loa) -> None:
    text = "Ngày 20-5, UBND xã có 105 hộ, 90% có BHYT."
    south = "Ngày hai mươi tháng năm, ủy ban nhân dân xã có một trăm lẻ năm hộ, chín mươi phần trăm có bảo hiểm y tế.\n"  # noqa: E501
    assert tts.ok("tts", "normalize", "--lang", "vi", text) == south
    north = tts.ok("tts", "normalize", "--lang", "vi", "--voice", "vi", text)
    assert north == south.replace("lẻ", "linh")


def test_normalize_segments_and_the_global_lexicon(tts: Loa) -> None:
    with tts.session() as session:
        build_world(session)
        add_entry(
            session,
            Actor.system("test"),
            LexiconEntryCreate(language=Language.vi, term="Tà Pạ", reading="Tà Pa"),
        )
        session.commit()
    text = "Ấp Tà Pạ họp lúc 7h30. Bà con đến sớm.\n\nXin cảm ơn."
    assert tts.ok("tts", "normalize", "--lang", "vi", "--segments", text).splitlines() == [
        "Ấp Tà Pa họp lúc bảy giờ ba mươi phút.  (350 ms)",
        "Bà con đến sớm.  (700 ms)",
        "Xin cảm ơn.  (0 ms)",
    ]


def test_normalize_khmer(tts: Loa) -> None:
    output = tts.ok("tts", "normalize", "--lang", "km", "ថ្ងៃទី ២០ មាន ១០៥ គ្រួសារ។")
    assert output.strip()
    assert not any(c.isdigit() for c in output), output  # Khmer digits are digits too


def test_voices_lists_the_configured_chains(tts: Loa, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [line for line in tts.ok("tts", "voices").splitlines() if "espeak" in line]
    assert [re.findall(r"[\w-]+", r)[:3] for r in rows] == [
        ["vi", "espeak", "vi"],
        ["vi", "espeak", "vi-vn-x-central"],
        ["vi", "espeak", "vi-vn-x-south"],
    ]
    assert "Neural" not in tts.ok("tts", "voices")
    with running("ok") as server:
        monkeypatch.setenv("LOA_TTS__CHAINS", '{"vi": ["edge", "espeak"], "km": ["edge"]}')
        monkeypatch.setenv("LOA_TTS__EDGE_ENDPOINT", server.url)
        listed = tts.ok("tts", "voices")
        assert server.handshakes == 0
    for voice in ("vi-VN-HoaiMyNeural", "vi-VN-NamMinhNeural", "km-KH-SreymomNeural"):
        assert voice in listed
    assert listed.index("vi-VN-HoaiMyNeural") < listed.index("vi-vn-x-south")


def test_say_writes_a_broadcast_mp3(tts: Loa, tmp_path: Path) -> None:
    require_binary("espeak-ng")
    out = tmp_path / "ra" / "loa.mp3"
    printed = tts.ok("tts", "say", "--lang", "vi", "Bà con chú ý, 7h30 họp dân.", "-o", str(out))
    assert printed == f"Đã ghi {out} (espeak, vi-vn-x-south).\n"
    info = ffprobe(out)
    (stream,) = info["streams"]
    assert (stream["codec_name"], stream["channels"], stream["sample_rate"]) == ("mp3", 1, "24000")
    assert stream["bit_rate"] == "48000"
    assert 1.5 < float(info["format"]["duration"]) < 8
    assert sorted(p.name for p in out.parent.iterdir()) == ["loa.mp3"]  # no staging file left
    assert not any((tmp_path / "var" / "work").glob("say-*"))


def test_say_refusals_are_one_line(tts: Loa, tmp_path: Path) -> None:
    wrong_suffix = tts.refused(
        "tts", "say", "--lang", "vi", "Xin chào.", "-o", str(tmp_path / "a.txt")
    )
    assert wrong_suffix == "Lỗi: tệp đầu ra phải có đuôi .mp3"
    khmer = tts.refused("tts", "say", "--lang", "km", KHMER_BODY, "-o", str(tmp_path / "k.mp3"))
    assert khmer.startswith(
        "Lỗi: Không có giọng đọc tiếng Khmer khả dụng; cần bản ghi âm của người đọc"
    )
    unknown = tts.refused(
        "tts", "say", "--lang", "vi", "--voice", "xx", "Xin chào.", "-o", str(tmp_path / "x.mp3")
    )
    assert unknown == "Lỗi: Không có giọng đọc 'xx' cho tiếng Việt"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".mp3", ".txt")) == []


def test_misconfigured_chain_is_one_line(tts: Loa, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOA_TTS__CHAINS", '{"vi": ["festival"]}')
    assert tts.refused("tts", "voices") == (
        "Lỗi: LOA_TTS__CHAINS có bộ đọc không tồn tại: festival (chỉ có: edge, espeak)"
    )


def test_bulletin_render(tts: Loa) -> None:
    require_binary("espeak-ng")
    with tts.session() as session:
        world = build_world(session)
        vi = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body=SHORT_BODY)
        km = make_bulletin(
            session,
            world["editor_b"],
            title=KHMER_TITLE,
            body=KHMER_BODY,
            language="km",
            target_station_codes=["sb"],
        )
        session.commit()
        ids = (vi.id, km.id)

    printed = tts.ok("bulletin", "render", str(ids[0]), "--as", "editor_a")
    assert re.fullmatch(
        rf"#{ids[0]}: sẵn sàng \(clip 1, espeak/vi-vn-x-south, \d+\.\d s\)\n", printed
    ), printed

    batch = tts("bulletin", "render", str(ids[0]), str(ids[1]), "--as", "admin")
    assert batch.exit_code == 1, batch.output
    lines = plain(batch.stdout).splitlines()
    assert lines[0].startswith(f"#{ids[0]}: sẵn sàng (clip 2, espeak/vi-vn-x-south, ")
    assert lines[1].startswith(
        f"#{ids[1]}: cần bản ghi âm (clip 3) Không có giọng đọc tiếng Khmer khả dụng"
    )
    no_traceback(batch.output)
    with tts.session() as session:
        statuses = [c.status for c in session.exec(select(Clip).order_by(col(Clip.id))).all()]
    assert statuses == [ClipStatus.ready, ClipStatus.ready, ClipStatus.needs_recording]


def test_bulletin_render_refusals(tts: Loa) -> None:
    with tts.session() as session:
        world = build_world(session)
        bulletin = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body=SHORT_BODY)
        session.commit()
        bulletin_id = bulletin.id
    assert tts.refused("bulletin", "render", "424242", "--as", "admin") == (
        "Lỗi: Không tìm thấy bản tin 424242"
    )
    assert tts.refused("bulletin", "render", str(bulletin_id), "--as", "editor_b") == (
        "Lỗi: Bạn không phụ trách địa bàn của bản tin này"
    )
    assert tts.refused("bulletin", "render", str(bulletin_id), "--as", "nobody") == (
        "Lỗi: Không tìm thấy người dùng 'nobody'"
    )
    with tts.session() as session:
        assert session.exec(select(Clip)).all() == []
