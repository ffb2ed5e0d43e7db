"""Value objects, escaping and rendering; the generated script must pass `liquidsoap --check`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from stations import (
    IcecastConfig,
    LiquidsoapConfig,
    LiquidsoapError,
    RunAs,
    StationStream,
    StreamFormat,
    check_script,
    render_icecast_xml,
    render_liquidsoap,
    slug,
    write_atomic,
)
from stations.render import liq_encoder, liq_float, liq_string
from tests.conftest import require_binary

HOSTILE = [
    'Đài "Xã" Tân Phú \\ cuối\\',
    "វិទ្យុ ខេត្ត កំពង់ចាម",
    "#{1+1} and #{x} and ##{{y}}",
    "ends with #",
    "'single' \\\" mixed \\#{z}",
    "Tiếng Việt: Ả Ặ ữ ợ ỹ",
]
TOKEN = "t0k3n-" + "x" * 20
PASSWORD = "s3cret-source-pw"


def station(i: int, name: str | None = None, description: str = "") -> StationStream:
    return StationStream(
        f"VN-{i:02d}", name or f"Cụm loa {i}", f"/vn{i:02d}.mp3", description=description
    )


def liq_config(
    tmp_path: Path, stations: tuple[StationStream, ...], **kw: object
) -> LiquidsoapConfig:
    args: dict[str, object] = {
        "stations": stations,
        "icecast_password": PASSWORD,
        "events_url": "http://127.0.0.1:8765/internal/events",
        "events_token": TOKEN,
        "log_path": tmp_path / "liq.log",
        "socket_path": tmp_path / "liq.sock",
    }
    args.update(kw)
    return LiquidsoapConfig(**args)  # type: ignore[arg-type]


def ice_config(tmp_path: Path, **kw: object) -> IcecastConfig:
    args: dict[str, object] = {
        "source_password": PASSWORD,
        "admin_password": "adm1n-generated-pw",
        "log_dir": tmp_path / "log",
    }
    args.update(kw)
    return IcecastConfig(**args)  # type: ignore[arg-type]


# --- escaping ---------------------------------------------------------------------------


def test_liq_string_escapes_quotes_backslashes_and_interpolation() -> None:
    assert liq_string("plain") == '"plain"'
    assert liq_string('a"b\\c') == '"a\\"b\\\\c"'
    assert liq_string("x#{y}z") == '("x#" ^ "{y}z")'
    assert liq_string("#{") == '("#" ^ "{")'
    assert liq_string("# { #") == '"# { #"'
    with pytest.raises(ValueError, match="control character"):
        liq_string("two\nlines")


def test_liquidsoap_reads_hostile_literals_back_exactly(tmp_path: Path) -> None:
    binary = require_binary("liquidsoap")
    lines = ["settings.init.allow_root.set(true)", "settings.log.stdout.set(false)"]
    lines += [f"print({liq_string(value)})" for value in HOSTILE]
    script = tmp_path / "echo.liq"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Exit status 1: "No output defined, nothing to do." once the prints have run.
    result = subprocess.run(
        [binary, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.splitlines()[: len(HOSTILE)] == HOSTILE


def test_float_and_encoder_literals() -> None:
    assert liq_float(5) == "5.000000"
    assert liq_float(-40.5) == "-40.500000"
    with pytest.raises(ValueError, match="finite"):
        liq_float(float("nan"))
    assert liq_encoder(StreamFormat()) == "%mp3(bitrate=48, samplerate=24000, mono)"
    assert liq_encoder(StreamFormat("opus", 32, 48000, 2)) == (
        "%opus(bitrate=32, samplerate=48000, stereo)"
    )
    assert liq_encoder(StreamFormat("aac", 64)) == (
        '%ffmpeg(format="adts", %audio(codec="aac", b="64k", samplerate=24000, channels=1))'
    )


# --- value objects ----------------------------------------------------------------------


def test_slug() -> None:
    assert slug("VN-01") == "vn_01"
    assert slug("a..b") == "a_b"
    assert slug("01") == "s01"
    with pytest.raises(ValueError, match="no letters"):
        slug("--")


def test_station_ids() -> None:
    s = station(7)
    assert (s.slug, s.programme_queue, s.emergency_queue, s.output_id, s.gate_command) == (
        "vn_07",
        "vn_07_programme",
        "vn_07_emergency",
        "vn_07_out",
        "vn_07.gate",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mount": "/a b.mp3"}, "mount"),
        ({"mount": 'x"'}, "mount"),
        ({"name": "two\nlines"}, "control character"),
        ({"name": ""}, "empty"),
        ({"code": "VN 01"}, "station code"),
        ({"description": "tab\there"}, "control character"),
    ],
)
def test_station_refuses_bad_input(kwargs: dict[str, str], message: str) -> None:
    args = {"code": "VN01", "name": "Đài", "mount": "/vn01.mp3"} | kwargs
    with pytest.raises(ValueError, match=message):
        StationStream(
            args["code"], args["name"], args["mount"], description=args.get("description", "")
        )


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ({"codec": "ogg"}, "codec"),
        ({"codec": "opus", "sample_rate": 44100}, "cannot be encoded"),
        ({"bitrate_kbps": 4}, "bitrate"),
        ({"channels": 3}, "channels"),
    ],
)
def test_format_refuses_bad_input(fmt: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StreamFormat(**fmt)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"icecast_password": "hackme"}, "default"),
        ({"icecast_password": "short"}, "shorter"),
        ({"events_token": "has space in it........"}, "events token"),
        ({"events_url": "ftp://127.0.0.1/x"}, "http"),
        ({"telnet_port": 1234}, "exactly one"),
        ({"socket_path": None}, "exactly one"),
        ({"socket_path": Path("/tmp/" + "s" * 120)}, "longer than"),
        ({"socket_path": Path("relative.sock")}, "absolute"),
        ({"dead_air_s": 0.0}, "dead air"),
        ({"icecast_port": 70000}, "port"),
        ({"stations": ()}, "at least one"),
    ],
)
def test_liquidsoap_config_refuses_bad_input(
    tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    args = dict(kwargs)
    stations = args.pop("stations", (station(1),))
    with pytest.raises(ValueError, match=message):
        liq_config(tmp_path, stations, **args)  # type: ignore[arg-type]


def test_liquidsoap_config_refuses_colliding_ids(tmp_path: Path) -> None:
    a = StationStream("VN-01", "A", "/a.mp3")
    b = StationStream("vn.01", "B", "/b.mp3")
    with pytest.raises(ValueError, match="share the id 'vn_01'"):
        liq_config(tmp_path, (a, b))
    with pytest.raises(ValueError, match="share one Icecast mount"):
        liq_config(tmp_path, (a, StationStream("VN-02", "B", "/a.mp3")))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"source_password": "hackme"}, "default"),
        ({"admin_password": "hackme"}, "default"),
        ({"admin_password": PASSWORD}, "differ"),
        ({"log_dir": Path("relative")}, "absolute"),
        ({"port": 0}, "port"),
        ({"mounts": (station(1), station(1))}, "share one Icecast mount"),
    ],
)
def test_icecast_config_refuses_bad_input(
    tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ice_config(tmp_path, **kwargs)


# --- icecast.xml ------------------------------------------------------------------------


def test_icecast_xml_has_one_utf8_mount_per_station(tmp_path: Path) -> None:
    cfg = ice_config(tmp_path, mounts=(station(1), station(2)), port=8123, location='<Tỉnh> & "Xã"')
    root = ElementTree.fromstring(render_icecast_xml(cfg))
    mounts = root.findall("mount")
    assert [m.findtext("mount-name") for m in mounts] == ["/vn01.mp3", "/vn02.mp3"]
    assert {m.findtext("charset") for m in mounts} == {"UTF-8"}
    assert {m.findtext("burst-size") for m in mounts} == {"2048"}
    assert root.findtext("limits/burst-size") == "2048"
    assert root.findtext("location") == '<Tỉnh> & "Xã"'
    assert root.findtext("authentication/source-password") == PASSWORD
    assert root.findtext("authentication/admin-password") == "adm1n-generated-pw"
    assert root.findtext("listen-socket/port") == "8123"
    assert root.findtext("listen-socket/bind-address") == "127.0.0.1"
    assert root.findtext("paths/logdir") == str(tmp_path / "log")
    assert root.find("security/changeowner") is None
    assert "hackme" not in render_icecast_xml(cfg)


def test_icecast_xml_changes_owner_only_when_asked(tmp_path: Path) -> None:
    root = ElementTree.fromstring(render_icecast_xml(ice_config(tmp_path, run_as=RunAs())))
    assert root.findtext("security/changeowner/user") == "icecast2"
    assert root.findtext("security/changeowner/group") == "icecast"


# --- the Liquidsoap script --------------------------------------------------------------


def test_script_settings(tmp_path: Path) -> None:
    text = render_liquidsoap(liq_config(tmp_path, (station(1),)))
    assert "allow_root" not in text
    assert f'settings.server.socket.path.set("{tmp_path / "liq.sock"}")' in text
    assert "settings.frame.audio.samplerate.set(24000)" in text
    assert "settings.log.stdout.set(false)" in text
    assert f'loa_events_auth = "Bearer {TOKEN}"' in text
    assert 'loa_station("VN-01", "vn_01")' in text
    assert 'mount="/vn01.mp3"' in text
    telnet = render_liquidsoap(
        liq_config(tmp_path, (station(1),), socket_path=None, telnet_port=1234, allow_root=True)
    )
    assert "settings.init.allow_root.set(true)" in telnet
    assert "settings.server.telnet.port.set(1234)" in telnet
    assert "settings.server.socket.set(false)" in telnet


def test_script_checks_with_one_station(tmp_path: Path) -> None:
    require_binary("liquidsoap")
    path = tmp_path / "one.liq"
    write_atomic(path, render_liquidsoap(liq_config(tmp_path, (station(1),))))
    check_script(path)


def test_script_checks_with_two_stations_opus_aac_telnet_hostile(tmp_path: Path) -> None:
    require_binary("liquidsoap")
    stations = (
        StationStream("KH-1", HOSTILE[1], "/kh1.opus", StreamFormat("opus"), HOSTILE[2]),
        StationStream(
            "VN.2", HOSTILE[0], "/vn2.aac", StreamFormat("aac", 64, 44100, 2), HOSTILE[4]
        ),
    )
    cfg = liq_config(tmp_path, stations, socket_path=None, telnet_port=1234, allow_root=True)
    path = tmp_path / "two.liq"
    write_atomic(path, render_liquidsoap(cfg))
    check_script(path)


def test_script_checks_with_fifty_stations(tmp_path: Path) -> None:
    require_binary("liquidsoap")
    stations = tuple(
        station(i, name=HOSTILE[i % len(HOSTILE)], description=HOSTILE[(i + 1) % len(HOSTILE)])
        for i in range(50)
    )
    text = render_liquidsoap(liq_config(tmp_path, stations, dead_air_s=7.5))
    assert text.count("output.icecast(") == 50
    assert "max_blank=7.500000" in text
    path = tmp_path / "fifty.liq"
    write_atomic(path, text)
    check_script(path)


def test_check_script_refuses_a_broken_script(tmp_path: Path) -> None:
    require_binary("liquidsoap")
    path = tmp_path / "bad.liq"
    path.write_text("x = undefined_thing(1)\n")
    with pytest.raises(LiquidsoapError, match="undefined_thing") as caught:
        check_script(path)
    assert caught.value.code == "invalid_script"


# --- atomic writes ----------------------------------------------------------------------


def test_write_atomic_writes_with_mode(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "icecast.xml"
    write_atomic(path, "Tiếng Việt\n", mode=0o600)
    assert path.read_text(encoding="utf-8") == "Tiếng Việt\n"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["icecast.xml"]


def test_write_atomic_keeps_old_file_when_verify_refuses(tmp_path: Path) -> None:
    require_binary("liquidsoap")
    path = tmp_path / "loa.liq"
    good = render_liquidsoap(liq_config(tmp_path, (station(1),)))
    write_atomic(path, good, verify=check_script)
    with pytest.raises(LiquidsoapError):
        write_atomic(path, good + "\nbroken(\n", verify=check_script)
    assert path.read_text(encoding="utf-8") == good
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".liq")] == ["loa.liq"]
