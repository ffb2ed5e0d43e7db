"""On air, part 2 (``bench/onair.py --part density``): how many station mounts one machine
sustains with every station playing.

N stations laid out as the deployment does (``studio.onair_layout.slots``: 40 per Liquidsoap
process, in code order), each process running the generated script (gate, emergency queue,
track and dead-air events, MP3 CBR 48 kbit/s mono 24 kHz to Icecast). Every programme queue
gets a long espeak-ng speech clip in the house format, pushed 50 ms apart (pushing into every
queue at the same instant stalls playback). After 5 s to settle, 20 s are measured:

- CPU from /proc: the Liquidsoap processes and Icecast (utime + stime), and the whole machine
  (/proc/stat, everything but idle and iowait), as % of all cores; Liquidsoap per mount as %
  of one core, beside AzuraCast's published ~10%. The machine is also measured idle for 3 s
  before each load: other work on it shows there, and counts against the load only through
  the machine figure;
- underruns: the lines Liquidsoap logs in the window when its clock falls a second behind or
  stays late for 100 frames ("We must catchup", "Too much latency"), and the byte rate three
  listeners (first, middle, last station) receive against the 6,000 B/s of 48 kbit/s.

A load is sustained when the stack (Liquidsoap + Icecast) stays under 70% of the cores, with no
catch-up, and every listener gets >= 97% of real time. The ladder stops at the first load that
is not.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from stations import LiquidsoapConfig, StationStream
from studio.onair_layout import slots
from studio.settings import Settings
from tests.factories import SECRET
from tests.media.sounds import speech
from tests.stations.live import IS_ROOT, EventSink, LiquidsoapRun, listen, running_icecast

SETTLE_S = 5.0
MEASURE_S = 20.0
STAGGER_S = 0.05
CLIP_S = 180
BYTES_PER_S = 48_000 / 8
BUSY_LIMIT = 70.0
REAL_TIME = 0.97
AZURACAST_PER_MOUNT = 10.0  # % of one core, AzuraCast's published figure
TICK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
TEXT = (
    "Ủy ban nhân dân xã thông báo lịch tiêm chủng cho trẻ em dưới năm tuổi vào sáng thứ bảy "
    "tại trạm y tế xã. Bà con mang theo sổ tiêm chủng và thẻ bảo hiểm y tế. Giá lúa hôm nay "
    "tăng nhẹ, bà con chú ý theo dõi thời tiết và lịch thời vụ của ngành nông nghiệp."
)


@dataclass
class Load:
    stations: int
    processes: int
    liquidsoap_pct: float  # of all cores
    icecast_pct: float
    machine_pct: float
    background_pct: float  # the machine before the stack started
    catchups: int
    real_time: list[float]

    @property
    def per_mount(self) -> float:
        """Liquidsoap CPU per mount, % of one core."""
        return self.liquidsoap_pct * CORES / self.stations

    @property
    def sustained(self) -> bool:
        return (
            self.liquidsoap_pct + self.icecast_pct < BUSY_LIMIT
            and self.catchups == 0
            and min(self.real_time) >= REAL_TIME
        )


def speech_clip(folder: Path) -> Path:
    """`CLIP_S` seconds of Vietnamese speech (espeak-ng, looped) in the house format."""
    wav = speech(folder / "speech.wav", TEXT)
    out = folder / "speech.mp3"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(wav)]
        + ["-t", str(CLIP_S), "-c:a", "libmp3lame", "-b:a", "48k", "-ar", "24000", "-ac", "1"]
        + [str(out)],
        check=True,
    )
    return out


def process_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


def catchups(logs: list[Path], offsets: list[int]) -> int:
    count = 0
    for path, offset in zip(logs, offsets, strict=True):
        with path.open("rb") as f:
            f.seek(offset)
            text = f.read()
            count += text.count(b"We must catchup") + text.count(b"Too much latency")
    return count


def machine_busy(seconds: float) -> float:
    before = machine_ticks()
    time.sleep(seconds)
    after = machine_ticks()
    total = after[1] - before[1]
    return 100 * (after[0] - before[0]) / total if total else 0.0


def run_load(n: int, clip: Path, folder: Path) -> Load:
    background = machine_busy(3)
    settings = Settings(
        environment="test",
        secret_key=SECRET,
        database_url=f"sqlite:///{folder / 'unused.db'}",
        var_dir=folder / "var",
    )
    codes = [f"d{i:03d}" for i in range(n)]
    streams = {c: StationStream(code=c, name=f"Cụm loa {c}", mount=f"/{c}.mp3") for c in codes}
    layout = slots(settings, codes)
    with (
        running_icecast(folder, list(streams.values())) as ice,
        EventSink() as events,
        ExitStack() as stack,
    ):
        runs: list[LiquidsoapRun] = []
        for slot in layout:
            slot.log_path.parent.mkdir(parents=True, exist_ok=True)
            cfg = LiquidsoapConfig(
                stations=tuple(streams[c] for c in slot.station_codes),
                icecast_password=ice.config.source_password,
                icecast_port=ice.port,
                events_url=events.url,
                events_token=events.token,
                log_path=slot.log_path.absolute(),
                socket_path=slot.socket_path.absolute(),
                allow_root=IS_ROOT,
            )
            run = LiquidsoapRun(folder, cfg, name=f"liquidsoap-{slot.index}")
            stack.callback(run.stop)
            stack.callback(run.client.close)
            run.start()
            runs.append(run)
        client_of = {c: run.client for run in runs for c in (s.code for s in run.cfg.stations)}
        for code in codes:
            client_of[code].push(streams[code].programme_queue, clip, {"item_key": f"bench/{code}"})
            time.sleep(STAGGER_S)
        time.sleep(SETTLE_S)

        pids = [run.process.pid for run in runs if run.process is not None]
        logs = [run.cfg.log_path for run in runs]
        offsets = [path.stat().st_size for path in logs]
        probes = [codes[0], codes[len(codes) // 2], codes[-1]]
        received: dict[str, int] = {}

        def probe(code: str) -> None:
            received[code] = len(listen(ice.url(streams[code].mount), MEASURE_S))

        threads = [threading.Thread(target=probe, args=(c,)) for c in probes]
        before = [process_ticks(p) for p in pids], process_ticks(ice.process.pid), machine_ticks()
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        after = [process_ticks(p) for p in pids], process_ticks(ice.process.pid), machine_ticks()
        burst = ice.config.burst_size
        real_time = [(received.get(c, 0) - burst) / (MEASURE_S * BYTES_PER_S) for c in probes]
        scale = 100 / (TICK * elapsed * CORES)
        busy = after[2][0] - before[2][0]
        total = after[2][1] - before[2][1]
        return Load(
            stations=n,
            processes=len(runs),
            liquidsoap_pct=(sum(after[0]) - sum(before[0])) * scale,
            icecast_pct=(after[1] - before[1]) * scale,
            machine_pct=100 * busy / total if total else 0.0,
            background_pct=background,
            catchups=catchups(logs, offsets),
            real_time=real_time,
        )


def part_density(loads: list[int]) -> list[Load]:
    print(
        f"density: every station playing speech, {MEASURE_S:g} s measured, {CORES} cores; "
        f"CPU in % of all {CORES} cores unless said; sustained = stack < {BUSY_LIMIT:g}%, "
        f"no catch-up, listeners >= {REAL_TIME:.0%} of real time"
    )
    print(
        "  mounts procs liquidsoap icecast  stack machine (idle before)  "
        "per mount, % of a core (AzuraCast ~10)  catch-ups  listeners x real time  sustained"
    )
    out: list[Load] = []
    with tempfile.TemporaryDirectory(prefix="loa-bench-density-") as name:
        clip = speech_clip(Path(name))
        for n in loads:
            with tempfile.TemporaryDirectory(prefix=f"loa-density-{n}-") as run_dir:
                load = run_load(n, clip, Path(run_dir))
            out.append(load)
            stack = load.liquidsoap_pct + load.icecast_pct
            print(
                f"  {load.stations:>6} {load.processes:>5} {load.liquidsoap_pct:>9.1f}% "
                f"{load.icecast_pct:>6.1f}% {stack:>5.1f}% {load.machine_pct:>6.1f}% "
                f"({load.background_pct:>4.1f}%)      {load.per_mount:>5.2f} "
                f"({load.per_mount / AZURACAST_PER_MOUNT:.2f}x AzuraCast's)"
                f"{load.catchups:>19}  {' '.join(f'{r:.2f}' for r in load.real_time):<20}  "
                f"{'yes' if load.sustained else 'NO'}"
            )
            if not load.sustained:
                break
    best = max((load.stations for load in out if load.sustained), default=0)
    print(f"  highest sustained load: {best} mounts (target >= 100)")
    return out
