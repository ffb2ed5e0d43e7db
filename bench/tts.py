"""A 300-word Vietnamese bulletin: our whole voice chain against raw espeak-ng, in one run.

Prints, for the same text on this machine:
  - raw espeak-ng on the normalised text (one process, WAV out): the anchor;
  - our synthesis part (segments through EspeakEngine, joined with pauses);
  - the front-end alone, and the broadcast chain (trim, high-pass, loudness, MP3 + FLAC);
  - the whole render through the real queue (request_render -> run_clip), x realtime;
  - a cache hit: the same text rendered again (no synthesis), wall time.

    .venv/bin/python bench/tts.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media.chain import process_clip  # noqa: E402
from media.probe import probe  # noqa: E402
from studio import clips, migrate  # noqa: E402
from studio.audit import Actor  # noqa: E402
from studio.db import make_engine  # noqa: E402
from studio.models import RenderRequest  # noqa: E402
from studio.render_jobs import claim, run_clip  # noqa: E402
from studio.settings import Settings  # noqa: E402
from studio.voices import build_kit  # noqa: E402
from tests.factories import build_world, make_bulletin  # noqa: E402
from tts.engines import EngineChain  # noqa: E402
from tts.espeak import EspeakEngine  # noqa: E402
from tts.frontend import normalize  # noqa: E402
from tts.render import render_speech  # noqa: E402

PARAGRAPH = (
    "Ngày 20-5, UBND xã Tri Tôn phối hợp với Trạm Y tế tổ chức tiêm chủng mở rộng cho trẻ em "
    "dưới 5 tuổi tại 12 điểm, từ 7h30 đến 11h00. Giai đoạn 2021-2025, tỷ lệ tiêm chủng đầy đủ "
    "đạt 98,5%, 100% hộ ĐBDTTS được tuyên truyền bằng tiếng Khmer. Đề nghị phụ huynh mang theo "
    "sổ tiêm chủng và thẻ BHYT; mọi thắc mắc xin liên hệ số 0296 3852 123. Hội Nông dân thông "
    "báo giá lúa tươi ngày 22/05/2025 là 7.200 đồng/kg, diện tích gieo sạ vụ Hè Thu đạt "
    "1.250 ha. "
)
SPEED = 140


def words(text: str) -> int:
    return len(text.split())


def bulletin_text(target_words: int = 300) -> str:
    text = ""
    while words(text) < target_words:
        text += PARAGRAPH
    return " ".join(text.split()[:target_words]).rstrip(",;") + "."


def timed(fn, repeat: int):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = bulletin_text()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t_front, normalized = timed(lambda: normalize(text, "vi", "south"), args.repeat)
        raw_wav = work / "raw.wav"

        def raw() -> None:
            subprocess.run(
                ["espeak-ng", "-v", "vi-vn-x-south", "-s", str(SPEED), "-w", str(raw_wav)],
                input=normalized.text.encode(),
                check=True,
            )

        t_raw, _ = timed(raw, args.repeat)
        chain = EngineChain(
            {"vi": [EspeakEngine(words_per_minute=SPEED, default_voice="vi-vn-x-south")]}
        )
        t_synth, speech = timed(
            lambda: render_speech(normalized, chain, work / "synth", sample_rate=None), args.repeat
        )
        settings = Settings(
            environment="test",
            var_dir=work / "var",
            secret_key="bench-secret-0123456789abcdefghijklmnop",
            tts={"chains": {"vi": ["espeak"], "km": []}, "espeak_wpm": SPEED},
        )
        kit = build_kit(settings)
        t_chain, processed = timed(
            lambda: process_clip(speech.path, kit.params, work / "chain"), args.repeat
        )
        audio_s = probe(processed.broadcast).duration_s

        url = f"sqlite:///{work}/bench.db"
        migrate.upgrade(url)
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            world = build_world(session)
            bulletins = [
                make_bulletin(session, world["editor_a"], title="Thông báo", body=text)
                for _ in range(2)
            ]
            session.commit()

        def render(bulletin_id: int) -> float:
            with Session(engine, expire_on_commit=False) as session:
                clip = clips.request_render(
                    session, Actor(user=world["editor_a"]), bulletin_id, RenderRequest(), kit
                )
                session.commit()
            start = time.perf_counter()
            assert clip.id is not None
            assert claim(engine, clip.id) == clip.id
            status = run_clip(engine, kit, clip.id)
            if status.value != "ready":
                with Session(engine) as session:
                    raise SystemExit(f"render failed: {clips.get_clip(session, clip.id).error}")
            return time.perf_counter() - start

        t_full = render(bulletins[0].id or 0)
        t_hit = render(bulletins[1].id or 0)
        engine.dispose()

    print(f"text: {words(text)} words; audio {audio_s:.1f} s; median of {args.repeat} runs")
    print(f"raw espeak-ng, whole text      {t_raw * 1000:8.0f} ms   <- anchor")
    print(
        f"our synthesis (segments+join)  {t_synth * 1000:8.0f} ms   "
        f"{t_synth / t_raw:.2f}x the anchor ({speech.segments} segments)"
    )
    print(f"front-end                      {t_front * 1000:8.1f} ms")
    print(f"broadcast chain                {t_chain * 1000:8.0f} ms")
    print(
        f"whole render (queue -> ready)  {t_full * 1000:8.0f} ms   {audio_s / t_full:.1f}x realtime"
    )
    print(f"cache hit (same text again)    {t_hit * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
