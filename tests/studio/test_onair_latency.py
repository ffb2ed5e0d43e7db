"""The delay from a station's stream to a listener of its mount, which the time gate compensates."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.onair_latency import (
    MountEncoding,
    block_ms,
    frame_ms,
    listener_delay_ms,
    load_streams,
    save_streams,
    station_advance_ms,
)
from studio.settings import OnAirSettings


def test_the_house_mp3_48k_waits_one_icecast_block_and_one_frame() -> None:
    assert block_ms("mp3", 48) == pytest.approx(233.333, abs=1e-3)  # 1,400 B x 8 / 48 bits per ms
    assert frame_ms("mp3") == 24.0  # 576 samples at 24 kHz
    assert listener_delay_ms(MountEncoding("mp3", 48)) == 257


def test_a_higher_bitrate_fills_its_blocks_sooner() -> None:
    assert listener_delay_ms(MountEncoding("mp3", 128)) == 112  # 87.5 + 24
    assert listener_delay_ms(MountEncoding("mp3", 64)) == 199  # 175 + 24
    assert listener_delay_ms(MountEncoding("mp3", 16)) == 724  # 700 + 24


def test_each_codec_holds_back_its_own_frame() -> None:
    assert frame_ms("aac") == pytest.approx(42.667, abs=1e-3)  # 1,024 samples at 24 kHz
    assert frame_ms("opus") == 20.0
    assert frame_ms("mp3", 48_000) == 24.0  # MPEG-1 layer III: 1,152 samples
    assert frame_ms("mp3", 22_050) == pytest.approx(26.122, abs=1e-3)
    assert listener_delay_ms(MountEncoding("aac", 48)) == 276  # 233.3 + 42.7
    with pytest.raises(ValueError, match="vorbis"):
        frame_ms("vorbis")
    with pytest.raises(ValueError, match="positive"):
        block_ms("mp3", 0)


def test_opus_waits_for_a_whole_ogg_page_instead_of_a_block() -> None:
    assert block_ms("opus", 32) == 1050.0  # 4,200 B x 8 / 32 bits per ms
    assert block_ms("aac", 32) == 350.0  # AAC goes in 1,400-byte blocks like MP3
    assert listener_delay_ms(MountEncoding("opus", 32)) == 1070  # + one 20 ms frame
    assert listener_delay_ms(MountEncoding("opus", 64)) == 545


def test_the_gate_opens_the_pipeline_delay_plus_the_listener_delay_early() -> None:
    onair = OnAirSettings()
    assert onair.listener_delay_ms is None
    assert station_advance_ms(onair, MountEncoding("mp3", 48)) == 120 + 257
    assert station_advance_ms(onair, MountEncoding("mp3", 128)) == 120 + 112
    assert station_advance_ms(OnAirSettings(release_advance_ms=80), MountEncoding("mp3", 48)) == (
        80 + 257
    )


def test_an_explicit_listener_delay_replaces_the_derived_one_for_every_station() -> None:
    onair = OnAirSettings(listener_delay_ms=150)
    assert station_advance_ms(onair, MountEncoding("mp3", 48)) == 270
    assert station_advance_ms(onair, MountEncoding("opus", 128)) == 270
    assert station_advance_ms(OnAirSettings(listener_delay_ms=0), MountEncoding()) == 120


def test_the_setting_is_bounded() -> None:
    with pytest.raises(ValueError, match="listener_delay_ms"):
        OnAirSettings(listener_delay_ms=-1)
    with pytest.raises(ValueError, match="listener_delay_ms"):
        OnAirSettings(listener_delay_ms=5001)


def test_the_streams_kept_beside_the_plans_come_back(tmp_path: Path) -> None:
    path = tmp_path / "plans" / "streams.json"
    assert load_streams(path) == {}
    streams = {"sb": MountEncoding("opus", 32), "sa": MountEncoding("mp3", 48)}
    save_streams(path, streams)
    assert load_streams(path) == streams
    assert [p.name for p in path.parent.iterdir()] == ["streams.json"]  # no temp file left
    path.write_text('{"sa": {"codec": "mp3"}}', encoding="utf-8")
    assert load_streams(path) == {}  # unreadable: the house format stands in
