"""`loa endpoint`: what an installer types wrong gets one clear line; what is right fetches the
package and plays it (against the real API on loopback)."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from playlists import Programme
from studio import stations
from studio.cli import app
from studio.settings import Settings
from tests.cli.support import Loa, plain
from tests.conftest import require_binary
from tests.factories import SYSTEM, World
from tests.onair.support import api_server, approved_tone, no_quiet_hours, session_soon
from tests.stations.live import free_port


@pytest.fixture
def api(settings: Settings) -> Iterator[str]:
    with api_server(settings) as base:
        settings.programme.public_base_url = base
        yield base


def token_of(session: Session, code: str = "sa") -> str:
    _, token = stations.issue_token(session, SYSTEM, code, "cli")
    session.commit()
    return token


def programmed(session: Session, settings: Settings, world: World) -> Programme:
    """One tone at station sa in a session two minutes ahead."""
    no_quiet_hours(session)
    approved_tone(session, world, settings, "Tin thử", 1.0, 440, ["sa"])
    return session_soon(session, settings, world, ["sa"], lead_s=120)["sa"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Lỗi: thiếu mã truy cập của đài: --token hoặc biến môi trường LOA_ENDPOINT_TOKEN"),
        (["--token", "  "], "Lỗi: thiếu mã truy cập của đài"),
        (
            ["--token", "t", "--date", "2027-13-40"],
            "Lỗi: --date: ngày không hợp lệ '2027-13-40' (dạng YYYY-MM-DD, ví dụ 2027-03-10)",
        ),
        (["--token", "t", "--seconds", "5"], "Lỗi: --until/--seconds cần --wav"),
        (
            ["--token", "t", "--wav", "a.wav", "--seconds", "5", "--until", "10:00"],
            "Lỗi: chỉ dùng một trong --until hoặc --seconds",
        ),
        (["--token", "t", "--live"], "Lỗi: --live cần --seconds (nghe bao lâu)"),
        (
            ["--token", "t", "--live", "--seconds", "3", "--wav", "a.wav"],
            "Lỗi: --live ghi luồng trực tiếp vào --out",
        ),
        (
            ["--token", "t", "--base", "ftp://example"],
            "Lỗi: Địa chỉ máy chủ không hợp lệ 'ftp://example'",
        ),
    ],
)
def test_bad_options_are_refused_before_any_request(
    loa: Loa, args: list[str], message: str
) -> None:
    line = loa.refused("endpoint", "--station", "sa", *args)
    assert line.startswith(message), line


def test_an_unreachable_server_is_one_clear_line(loa: Loa) -> None:
    base = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    line = loa.refused("endpoint", "--station", "sa", "--token", "t", "--base", base)
    assert line == f"Lỗi: Không kết nối được máy chủ {base} (ConnectError)"
    assert not (loa.tmp_path / "var" / "endpoint" / "sa" / "manifests").exists()


def test_a_wrong_token_is_refused(loa: Loa, api: str) -> None:
    line = loa.refused("endpoint", "--station", "sa", "--token", "loa_st_sai", "--base", api)
    assert line.startswith("Lỗi: Máy chủ từ chối mã truy cập của đài khi tải chương trình (401)")


def test_another_stations_token_is_refused(
    loa: Loa, api: str, session: Session, settings: Settings, world: World
) -> None:
    day = programmed(session, settings, world).day.isoformat()
    other = token_of(session, "sb")
    line = loa.refused(
        "endpoint", "--station", "sa", "--token", other, "--base", api, "--date", day
    )
    assert line == f"Lỗi: Không tải chương trình được (404): Đài sb chưa có chương trình ngày {day}"


def test_the_package_is_fetched_and_a_short_span_played(
    loa: Loa, api: str, session: Session, settings: Settings, world: World
) -> None:
    require_binary("ffmpeg")
    programme = programmed(session, settings, world)
    day = programme.day.isoformat()
    env = {**loa.env, "LOA_ENDPOINT_TOKEN": token_of(session), "LOA_ENDPOINT_BASE": api}
    fetched = loa.runner.invoke(app, ["endpoint", "--station", "sa", "--date", day], env=env)
    assert fetched.exit_code == 0, fetched.output
    assert plain(fetched.stdout).splitlines() == [
        f"Đài sa, ngày {day} (bản 1): 1 mục, tải mới từ máy chủ; đã tải 1 tệp, dùng lại 0 tệp "
        "đã kiểm tra; 1 mục sẵn sàng phát"
    ]
    (clip,) = (loa.tmp_path / "var" / "endpoint" / "sa" / "media").iterdir()
    assert clip.name == f"{programme.items[0].clip_sha256}.mp3"

    argv = ["endpoint", "--station", "sa", "--date", day, "--wav", "out.wav", "--seconds", "1"]
    played = loa.runner.invoke(app, [*argv, "--heartbeat-s", "1"], env=env)
    assert played.exit_code == 0, played.output
    lines = plain(played.stdout).splitlines()
    assert lines[0].endswith(
        "không đổi so với bản đã lưu; đã tải 0 tệp, dùng lại 1 tệp đã kiểm tra; 1 mục sẵn sàng phát"
    )
    assert lines[-1] == (
        "Đã ghi out.wav: 1.0 giây, 0 mục đã phát, 0 bỏ qua; mốc thời gian trong out.wav.json"
    )
    with wave.open(str(loa.tmp_path / "out.wav"), "rb") as wav:
        assert (wav.getframerate(), wav.getnframes()) == (24_000, 24_000)
        assert set(wav.readframes(24_000)) == {0}  # the session is still two minutes away
    sidecar = json.loads((loa.tmp_path / "out.wav.json").read_text(encoding="utf-8"))
    assert (sidecar["station"], sidecar["date"], sidecar["items"]) == ("sa", day, [])


def test_an_until_already_past_is_refused(
    loa: Loa, api: str, session: Session, settings: Settings, world: World
) -> None:
    day = programmed(session, settings, world).day.isoformat()
    env = {**loa.env, "LOA_ENDPOINT_TOKEN": token_of(session), "LOA_ENDPOINT_BASE": api}
    argv = ["endpoint", "--station", "sa", "--date", day, "--wav", "x.wav", "--until", "00:00"]
    result = loa.runner.invoke(app, argv, env=env)
    assert result.exit_code == 1
    assert plain(result.stderr).splitlines() == ["Lỗi: đã quá giờ kết thúc 00:00"]
    assert not (Path(loa.tmp_path) / "x.wav").exists()
