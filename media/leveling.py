"""Bringing a clip to a loudness target under a true-peak limit: the level of each part and how
the next attempt corrects it. Pure arithmetic plus the ffmpeg filters that apply a level.

A part's level has two independent knobs:

- `gain_db` sets the scale. Everything after it (limiter, resampling, MP3 coding) is close to
  scale-invariant: moving the gain by s moves the integrated loudness of the encoded clip by s
  (within 0.1 LU) and its true peak by s give or take the coding noise (below).
- `drive_db` pushes the signal that far into a peak limiter whose ceiling sits where the peaks
  would be without it: peaks stay put while the body gets louder, so the peak-to-loudness ratio
  (PLR, true peak minus integrated loudness) falls. It is the only way to lower the PLR.

The target is reachable by scaling alone once PLR <= true-peak limit - (target - tolerance).
espeak-ng speech starts at ~18.5-20 dB PLR (a pulse-like voice, 25% of its voiced 10 ms blocks
within 6 dB of the loudest peak), so the limiter has to take 11-16 dB off the peaks; each dB of
drive buys only ~0.3-0.5 dB of PLR. The encoded true peak is noisy: at 48 kbit/s the same
limited audio, merely scaled, measures a PLR spread over ~1.5 dB (e.g. 13.8-15.3, median 14.3),
because every encode draws new coding noise. So the PLR at a drive is estimated as the mean of
its measurements, scale steps keep TP_MARGIN_DB from the limit, and drive aims below that.
Coding overshoot also sets a floor: espeak-ng reaches ~13 dB PLR at 48 kbit/s however hard it
is limited, so targets with limit - target >= 14 dB (the house -16 LUFS / -1.5 dBTP has 14.5)
converge; 13 dB (-14 LUFS / -1 dBTP) does not for every voice.

The limiter runs at 4x the sample rate, so it holds true (inter-sample) peaks rather than sample
peaks; a sample-rate limiter let them through by up to 2 dB. A low-pass under the encoder's own
band in front of it leaves the encoder less of the limited waveform to cut (less overshoot).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from media.loudness import Loudness

TP_MARGIN_DB = 0.6  # a scale step aims the true peak this far under the limit (coding noise)
LU_MARGIN = 0.1  # ... and never lands the loudness closer than this to the tolerance's edge
PLR_HEADROOM_DB = 0.8  # more drive aims the PLR this far under (limit - target)
MP3_OVERSHOOT_GUESS_DB = 0.6  # encoded true peak over the limiter's ceiling, before measuring
PLR_SLOPE_GUESS = 0.45  # dB of PLR lost per dB of drive, before two drives have been measured
MIN_PLR_SLOPE = 0.15
MIN_SLOPE_SPAN_DB = 2.0  # narrower spans of drive give a slope swamped by the PLR noise
MIN_DRIVE_STEP_DB = 1.0
MAX_DRIVE_STEP_DB = 6.0
MAX_DRIVE_DB = 24.0
OVERSAMPLING = 4
LOWPASS_FRACTION = 0.4  # of the sample rate: 9.6 kHz at 24 kHz, under LAME's low-pass


@dataclass(frozen=True)
class Target:
    lufs: float
    true_peak_dbtp: float
    tolerance_lu: float

    @property
    def plr_goal(self) -> float:
        """The PLR more drive aims at: lands the loudness on target, the peaks well under."""
        return self.true_peak_dbtp - self.lufs - PLR_HEADROOM_DB


@dataclass(frozen=True)
class Level:
    gain_db: float
    drive_db: float = 0.0  # 0: gain only, no limiter

    def adjusted(self, scale_db: float, drive_step_db: float = 0.0) -> Level:
        drive = min(MAX_DRIVE_DB, self.drive_db + drive_step_db)
        return replace(self, gain_db=self.gain_db + scale_db, drive_db=drive)


def initial_level(found: Loudness, target: Target) -> Level:
    """A first guess from the input's own loudness and true peak (as the chain will hear it)."""
    plr = found.true_peak_dbtp - found.integrated_lufs
    missing = plr + MP3_OVERSHOOT_GUESS_DB - target.plr_goal
    if missing <= 0:
        return Level(gain_db=target.lufs - found.integrated_lufs)
    drive = min(MAX_DRIVE_DB, missing / PLR_SLOPE_GUESS)
    # Peaks land where a clip at the goal PLR and the target loudness would have them.
    peak_at = target.lufs + target.plr_goal - MP3_OVERSHOOT_GUESS_DB
    return Level(gain_db=peak_at - found.true_peak_dbtp, drive_db=drive)


@dataclass(frozen=True)
class Correction:
    speech_scale_db: float
    speech_drive_db: float
    other_scale_db: float  # a chime: never raised, lowered only as far as the peaks need


def correction(
    measured: Loudness, target: Target, history: list[tuple[float, float]]
) -> Correction:
    """How the next attempt changes each part after a miss.

    `history` holds (speech drive, PLR measured) of every attempt so far, this one last. A true
    peak over the limit is always lowered by at least the excess plus TP_MARGIN_DB.
    """
    loudness = measured.integrated_lufs
    drive = history[-1][0]
    plr = _mean_plr(history, drive)
    within = target.true_peak_dbtp - TP_MARGIN_DB - measured.true_peak_dbtp
    # Loudness on target unless that would put the peaks over: then as loud as they allow.
    scale = min(target.lufs, target.true_peak_dbtp - TP_MARGIN_DB - plr) - loudness
    scale = min(scale, within)
    lowest = target.lufs - target.tolerance_lu + LU_MARGIN
    if loudness + scale >= lowest or drive >= MAX_DRIVE_DB:
        return Correction(scale, 0.0, min(0.0, within))
    step = (plr - target.plr_goal) / _plr_slope(history)
    step = min(MAX_DRIVE_STEP_DB, max(MIN_DRIVE_STEP_DB, step))
    # The limiter holds the peaks where they are; put them where the goal PLR needs them.
    scale = min(target.lufs + target.plr_goal - (loudness + plr), within)
    return Correction(scale, step, min(0.0, within))


def _mean_plr(history: list[tuple[float, float]], drive: float) -> float:
    """PLR at `drive`: the mean of its measurements (each encode draws new coding noise)."""
    found = [plr for d, plr in history if abs(d - drive) < 0.01]
    return sum(found) / len(found)


def _plr_slope(history: list[tuple[float, float]]) -> float:
    """PLR lost per dB of drive, between the two latest drives measured."""
    drives: list[float] = []
    for drive, _ in reversed(history):
        if all(abs(drive - seen) >= 0.01 for seen in drives):
            drives.append(drive)
    if len(drives) < 2 or abs(drives[0] - drives[1]) < MIN_SLOPE_SPAN_DB:
        return PLR_SLOPE_GUESS
    latest, before = drives[0], drives[1]
    slope = (_mean_plr(history, before) - _mean_plr(history, latest)) / (latest - before)
    return min(1.0, max(MIN_PLR_SLOPE, slope))


def level_filters(level: Level, input_peak_dbtp: float, sample_rate: int) -> list[str]:
    """ffmpeg filters applying `level` to audio at `sample_rate` whose true peak is given."""
    if level.drive_db <= 0:
        return [f"volume={level.gain_db:.3f}dB"]
    # Unity-limit limiter between two gains: exactly scale-invariant, and no floor on the
    # ceiling (alimiter's own limit stops at -24 dBFS).
    ceiling = input_peak_dbtp + level.gain_db
    cutoff = round(sample_rate * LOWPASS_FRACTION)
    return [
        *[f"lowpass=f={cutoff}:poles=2"] * 2,
        f"volume={level.drive_db - input_peak_dbtp:.3f}dB",
        f"aresample={sample_rate * OVERSAMPLING}",
        "alimiter=limit=1:level=false:latency=true:attack=2:release=40",
        f"aresample={sample_rate}",
        f"volume={ceiling:.3f}dB",
    ]
