"""Render the Icecast config and the Liquidsoap script from value objects; write files atomically.

``render_icecast_xml(IcecastConfig) -> str`` and ``render_liquidsoap(LiquidsoapConfig) -> str``
are pure. ``write_atomic(path, text, verify=...)`` writes a temp file beside ``path``, fsyncs,
runs ``verify`` on the temp file (e.g. ``stations.process.check_script``) and only then renames.

The generated script, per station (ids from ``StationStream``; see ``stations.model``)::

    <slug>_programme (request.queue) -> time gate (switch on time() >= gate) --+
    <slug>_emergency (request.queue) ------------------------------------------+-> fallback
      (track_sensitive=false: an emergency cuts in at once; the interrupted programme item
      resumes where it stopped when the emergency queue is empty) -> mksafe (silence when idle)
      -> track events -> blank.detect -> output.icecast <slug>_out to the station's mount

Each queue applies a per-item gain from the ``liq_amplify`` annotation (e.g. ``"-6 dB"``).
Server commands: ``<queue>.push <uri>`` (returns the request id), ``<queue>.queue``,
``<queue>.skip``, ``<queue>.flush_and_skip``, ``request.on_air``, ``request.metadata <rid>``,
``<slug>_out.remaining``, ``uptime`` and ``<slug>.gate [<epoch>]``: the programme queue plays
nothing new before that Unix time (default 0: open). Arming the gate never cuts the item on
air; it holds the next one, so push an item ahead and arm the gate with its planned instant.
Measured here: the item starts (``track_start`` time) 49-94 ms after the armed instant, median
60 ms (one or two 40 ms frames); a push without the gate starts 55-121 ms after the push.

Events: the script POSTs one JSON object per event to ``events_url`` with
``Authorization: Bearer <events_token>``, from a separate thread (best effort, no retry)::

    {"event": "track_start", "station": "VN01", "queue": "programme", "time": 1767225600.123,
     "seq": 7, "boot": 1767225000.5, "metadata": {"item_id": "42", "rid": "3", ...}}

``event`` is one of ``track_start`` (an item of ``queue`` went on air), ``track_end`` (it left
the air: finished, skipped, flushed, or preempted by an emergency), ``track_resume`` (a
preempted programme item came back), ``blank`` (the output has been below the threshold for
``dead_air_s``; ``metadata`` is what is on air, empty when the station is idle) and ``noise``
(sound again; when the sound comes with a new item, ``metadata`` may still be the previous
one's, since blank detection reports before the new track's metadata is seen). ``time`` is
Liquidsoap's clock (epoch seconds, ms precision) when the first frame of the change was
produced. ``metadata`` holds every request annotation (``item_id``,
``bulletin_id``, ...) plus Liquidsoap's own keys (``rid``, ``filename``, ``loa_queue``...).
``seq`` counts events per process from 1 and ``boot`` identifies the process: POSTs run in
parallel threads and may arrive out of order, so order by ``(boot, seq)``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import jinja2

from media.tools import atomic_output, fsync_path
from stations.model import IcecastConfig, LiquidsoapConfig, StreamFormat

TEMPLATES = Path(__file__).parent / "templates"


def liq_string(value: str) -> str:
    """A Liquidsoap expression whose value is exactly ``value``.

    Backslashes and double quotes are escaped. Liquidsoap interpolates ``#{...}`` in every
    string literal, even after unescaping, so a ``#{`` in the value is split across two
    concatenated literals. Control characters are refused (no input should carry them).
    """
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValueError(f"control character in a Liquidsoap string: {value!r}")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    pieces = escaped.split("#{")
    if len(pieces) == 1:
        return f'"{escaped}"'
    last = len(pieces) - 1
    literals = [
        '"' + ("{" if i else "") + piece + ("#" if i < last else "") + '"'
        for i, piece in enumerate(pieces)
    ]
    return "(" + " ^ ".join(literals) + ")"


def liq_float(value: float) -> str:
    """A Liquidsoap float literal (they need the decimal point: ``5.`` not ``5``)."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return f"{number:.6f}"


def liq_encoder(fmt: StreamFormat) -> str:
    """The encoder expression for a stream format (AAC goes through ffmpeg: no fdkaac here)."""
    layout = "mono" if fmt.channels == 1 else "stereo"
    if fmt.codec == "mp3":
        return f"%mp3(bitrate={fmt.bitrate_kbps}, samplerate={fmt.sample_rate}, {layout})"
    if fmt.codec == "opus":
        return f"%opus(bitrate={fmt.bitrate_kbps}, samplerate={fmt.sample_rate}, {layout})"
    return (
        f'%ffmpeg(format="adts", %audio(codec="aac", b="{fmt.bitrate_kbps}k", '
        f"samplerate={fmt.sample_rate}, channels={fmt.channels}))"
    )


def _environment(*, xml: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=xml,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["liq"] = liq_string
    env.filters["liqfloat"] = liq_float
    env.filters["encoder"] = liq_encoder
    return env


def render_icecast_xml(cfg: IcecastConfig) -> str:
    """icecast.xml for ``cfg``: one ``<mount>`` per station, UTF-8 metadata, small burst."""
    text = _environment(xml=True).get_template("icecast.xml.j2").render(cfg=cfg)
    ElementTree.fromstring(text)  # well-formed, or this raises before anything is written
    return text


def render_liquidsoap(cfg: LiquidsoapConfig) -> str:
    """The Liquidsoap script for one process carrying ``cfg.stations``."""
    return _environment(xml=False).get_template("liquidsoap.liq.j2").render(cfg=cfg)


def write_atomic(
    path: Path, text: str, *, mode: int = 0o640, verify: Callable[[Path], None] | None = None
) -> None:
    """Write ``text`` to ``path`` through a temp file: fsync, ``verify(temp)``, rename.

    ``verify`` raises to refuse the file; the temp file is then removed and ``path`` keeps its
    previous content. ``mode`` defaults to owner read/write, group read (configs hold secrets).
    """
    with atomic_output(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # O_CREAT's mode is filtered by the umask
        if verify is not None:
            verify(tmp)
    fsync_path(path.parent)
