from __future__ import annotations

import pytest

from media import leveling
from media.leveling import Level, Target, correction, initial_level, level_filters
from media.loudness import Loudness

HOUSE = Target(lufs=-16.0, true_peak_dbtp=-1.5, tolerance_lu=0.5)
GOAL = HOUSE.true_peak_dbtp - HOUSE.lufs - leveling.PLR_HEADROOM_DB  # the PLR drive aims at


def _measured(lufs: float, peak: float) -> Loudness:
    return Loudness(integrated_lufs=lufs, true_peak_dbtp=peak, lra=3.0)


def test_low_crest_input_gets_gain_only() -> None:
    assert initial_level(_measured(-30.0, -20.0), HOUSE) == Level(gain_db=14.0, drive_db=0.0)


def test_peaky_speech_is_limited_with_peaks_placed_for_the_goal() -> None:
    level = initial_level(_measured(-18.4, 0.3), HOUSE)  # espeak-ng: PLR 18.7 dB

    expected_drive = (18.7 + leveling.MP3_OVERSHOOT_GUESS_DB - GOAL) / leveling.PLR_SLOPE_GUESS
    assert level.drive_db == pytest.approx(expected_drive)
    # Limiter ceiling (input peak + gain) + the expected MP3 overshoot = target + goal PLR.
    ceiling = 0.3 + level.gain_db
    assert ceiling + leveling.MP3_OVERSHOOT_GUESS_DB == pytest.approx(HOUSE.lufs + GOAL)


@pytest.mark.parametrize(
    ("lufs", "peak", "drive_expected"),
    [(-15.6, -1.4, False), (-16.0, -1.0, True), (-15.2, 0.4, True)],
    ids=["scale-only", "needs-drive", "far-over"],
)
def test_peak_over_the_limit_drops_by_the_excess_and_a_margin(
    lufs: float, peak: float, drive_expected: bool
) -> None:
    step = correction(_measured(lufs, peak), HOUSE, [(12.0, peak - lufs)])

    least_drop = peak - HOUSE.true_peak_dbtp + leveling.TP_MARGIN_DB
    assert step.speech_scale_db <= -least_drop + 1e-9
    assert step.other_scale_db <= -least_drop + 1e-9
    assert (step.speech_drive_db > 0) is drive_expected


def test_quiet_clip_with_room_is_raised_to_target() -> None:
    step = correction(_measured(-17.0, -4.0), HOUSE, [(0.0, 13.0)])

    assert (step.speech_scale_db, step.speech_drive_db) == pytest.approx((1.0, 0.0))
    assert step.other_scale_db == 0.0  # a chime is never raised with the speech


def test_high_plr_adds_drive_and_aims_the_peaks_at_the_goal() -> None:
    step = correction(_measured(-16.8, -1.3), HOUSE, [(12.0, 15.5)])

    assert step.speech_drive_db == pytest.approx((15.5 - GOAL) / leveling.PLR_SLOPE_GUESS)
    assert step.speech_scale_db == pytest.approx(HOUSE.lufs + GOAL - (-1.3))


def test_drive_step_uses_the_slope_between_the_two_latest_drives() -> None:
    step = correction(_measured(-16.9, -2.1), HOUSE, [(10.0, 15.6), (14.0, 14.8)])

    assert step.speech_drive_db == pytest.approx((14.8 - GOAL) / 0.2)


def test_drive_step_is_capped() -> None:
    step = correction(_measured(-19.0, -1.0), HOUSE, [(2.0, 18.0)])

    assert step.speech_drive_db == leveling.MAX_DRIVE_STEP_DB


def test_repeated_measurements_at_one_drive_are_averaged() -> None:
    # Two encodes at one drive measured PLR 14.5 then 13.5: plan with 14.0, not the lucky draw.
    step = correction(_measured(-15.4, -1.9), HOUSE, [(12.0, 14.5), (12.0, 13.5)])

    lands_at = HOUSE.true_peak_dbtp - leveling.TP_MARGIN_DB - 14.0
    assert step.speech_scale_db == pytest.approx(lands_at - (-15.4))
    assert step.speech_drive_db == 0.0


def test_drive_never_passes_its_maximum() -> None:
    level = Level(gain_db=-5.0, drive_db=leveling.MAX_DRIVE_DB - 1.0).adjusted(-1.0, 6.0)

    assert level == Level(gain_db=-6.0, drive_db=leveling.MAX_DRIVE_DB)


def test_filters_for_gain_only() -> None:
    assert level_filters(Level(gain_db=3.25), 0.3, 24000) == ["volume=3.250dB"]


def test_filters_for_the_true_peak_limiter() -> None:
    filters = level_filters(Level(gain_db=-3.2, drive_db=12.5), 0.3, 24000)

    assert filters == [
        "lowpass=f=9600:poles=2",
        "lowpass=f=9600:poles=2",
        "volume=12.200dB",  # the input's peak lands 12.5 dB over the unity limit
        "aresample=96000",
        "alimiter=limit=1:level=false:latency=true:attack=2:release=40",
        "aresample=24000",
        "volume=-2.900dB",  # the ceiling: where the peaks were before limiting
    ]
