"""The streaming stack built from the registry: configs Icecast and Liquidsoap accept."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlmodel import Session

from stations import check_script
from studio import stations
from studio.models import StationUpdate
from studio.onair_secrets import load_or_create
from studio.onair_stack import build_stack, programs, write_stack
from studio.settings import Settings
from studio.types import StreamCodec
from tests.conftest import require_binary
from tests.factories import SYSTEM, World


def test_every_enabled_station_gets_a_mount_and_a_place_in_a_liquidsoap_process(
    session: Session, settings: Settings, world: World
) -> None:
    require_binary("liquidsoap")
    stations.update_station(
        session, SYSTEM, "sb", StationUpdate(stream_codec=StreamCodec.opus, stream_bitrate_kbps=32)
    )
    stations.update_station(session, SYSTEM, "sp", StationUpdate(stream_codec=StreamCodec.aac))
    session.commit()
    settings.onair.stations_per_process = 2

    stack = build_stack(session, settings, "http://127.0.0.1:8123")
    write_stack(stack)

    assert [(s.code, s.format.codec, s.format.bitrate_kbps) for s in stack.stations] == [
        ("sa", "mp3", 48),
        ("sb", "opus", 32),
        ("sp", "aac", 48),
    ]
    assert [slot.station_codes for slot, _ in stack.liquidsoap] == [("sa", "sb"), ("sp",)]
    secrets = load_or_create(settings)
    for slot, cfg in stack.liquidsoap:
        assert cfg.events_url == "http://127.0.0.1:8123/api/v1/internal/onair/events"
        assert cfg.events_token == secrets.events_token
        check_script(slot.script_path)  # liquidsoap --check accepts what we generated
    root = ET.parse(stack.icecast_path).getroot()
    mounts = {m.findtext("mount-name"): m.findtext("charset") for m in root.iter("mount")}
    # Default mounts are named after their codec.
    assert mounts == {"/sa.mp3": "UTF-8", "/sb.opus": "UTF-8", "/sp.aac": "UTF-8"}
    assert root.findtext("authentication/source-password") == secrets.icecast_source_password
    assert secrets.icecast_source_password not in ("hackme", "")
    names = [p.name for p in programs(stack, settings, {})]
    assert names == ["icecast", "liquidsoap-0", "liquidsoap-1", "scheduler"]


def test_secrets_are_made_once_and_kept_private(settings: Settings) -> None:
    first = load_or_create(settings)
    again = load_or_create(settings)

    assert first == again
    path = settings.onair_dir / "secrets.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert len({first.icecast_source_password, first.icecast_admin_password}) == 2
