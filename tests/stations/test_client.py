"""The server-protocol client against a real Liquidsoap (no Icecast needed: the output retries).

Faults are real: SIGSTOP makes Liquidsoap silent (timeout), SIGKILL closes the socket, a restart
forgets the queues, a short server timeout drops an idle connection.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stations import (
    LiquidsoapClient,
    LiquidsoapConfig,
    LiquidsoapError,
    StationStream,
    annotated_uri,
)
from tests.stations.live import LiquidsoapRun, free_port, house_mp3, running_liquidsoap

pytestmark = pytest.mark.slow

STATION = StationStream("VN-01", 'Đài "Xã" \\ #{1}', "/vn01.mp3")
TOKEN = "client-test-token-0123456789"


@pytest.fixture(scope="module")
def liq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiquidsoapRun]:
    tmp_path = tmp_path_factory.mktemp("client")
    cfg = LiquidsoapConfig(
        stations=(STATION,),
        icecast_password="nobody-listens-here",
        icecast_port=free_port(),  # nothing there: the output keeps retrying, harmlessly
        events_url=f"http://127.0.0.1:{free_port()}/events",
        events_token=TOKEN,
        log_path=tmp_path / "liquidsoap.log",
        socket_path=tmp_path / "liq.sock",
        server_timeout_s=1.0,  # so the idle-drop test is short
        allow_root=os.geteuid() == 0,
    )
    with running_liquidsoap(tmp_path, cfg, wait_for_mounts=False) as run:
        yield run


@pytest.fixture
def client(liq: LiquidsoapRun) -> Iterator[LiquidsoapClient]:
    with LiquidsoapClient(liq.cfg.server_address, timeout=2.0) as client:
        yield client
        if liq.process is None or liq.process.poll() is not None:
            liq.start(wait_for_mounts=False)  # a test that killed it leaves it running again
        client.flush_and_skip(STATION.programme_queue)
        client.set_gate(STATION.slug, 0)


@pytest.fixture(scope="module")
def mp3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return house_mp3(tmp_path_factory.mktemp("audio") / "tone.mp3", seconds=30)


def test_annotated_uri_escapes_values() -> None:
    uri = annotated_uri(Path("/srv/a b.mp3"), {"item_id": "7", "title": 'Xã "A" \\ B'})
    assert uri == 'annotate:item_id="7",title="Xã \\"A\\" \\\\ B":/srv/a b.mp3'
    assert annotated_uri(Path("/srv/a.mp3"), {}) == "/srv/a.mp3"
    with pytest.raises(ValueError, match="annotation key"):
        annotated_uri(Path("/a.mp3"), {"bad key": "x"})
    with pytest.raises(ValueError, match="single line"):
        annotated_uri(Path("/a.mp3"), {"title": "two\nlines"})


def test_missing_file_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    # No server at this address: the file check must come first.
    client = LiquidsoapClient(tmp_path / "nothing.sock")
    with pytest.raises(LiquidsoapError) as caught:
        client.push("vn_01_programme", tmp_path / "missing.mp3", {"item_id": "1"})
    assert caught.value.code == "missing_file"


def test_unreachable_server(tmp_path: Path) -> None:
    with pytest.raises(LiquidsoapError) as caught:
        LiquidsoapClient(tmp_path / "nothing.sock").uptime()
    assert caught.value.code == "unreachable"
    with pytest.raises(LiquidsoapError) as caught:
        LiquidsoapClient(("127.0.0.1", free_port())).uptime()
    assert caught.value.code == "unreachable"


def test_command_must_be_one_line(client: LiquidsoapClient) -> None:
    with pytest.raises(ValueError, match="single line"):
        client.command("uptime\nrequest.on_air")


def test_push_queue_metadata_and_flush(client: LiquidsoapClient, mp3: Path) -> None:
    annotations = {"item_id": "it-1", "bulletin_id": "42", "title": 'Bản tin "sáng" \\ ខេត្ត'}
    q = STATION.programme_queue
    client.set_gate(STATION.slug, time.time() + 60)  # hold them all in the queue
    rids = [client.push(q, mp3, annotations | {"n": str(n)}) for n in range(3)]
    assert rids == sorted(set(rids))
    assert client.queue(q) == rids
    meta = client.metadata(rids[1])
    assert {k: meta[k] for k in annotations} == annotations
    assert meta["n"] == "1"
    assert meta["filename"] == str(mp3)
    assert client.on_air() == []
    client.flush_and_skip(q)
    assert client.queue(q) == []


def test_missing_file_leaves_queue_untouched(client: LiquidsoapClient, tmp_path: Path) -> None:
    q = STATION.programme_queue
    client.set_gate(STATION.slug, time.time() + 60)
    before = client.queue(q)
    with pytest.raises(LiquidsoapError) as caught:
        client.push(q, tmp_path / "gone.mp3", {"item_id": "x"})
    assert caught.value.code == "missing_file"
    assert client.queue(q) == before


def test_gate_round_trip(client: LiquidsoapClient) -> None:
    assert client.set_gate(STATION.slug, 1767225600.125) == 1767225600.125
    assert client.gate(STATION.slug) == 1767225600.125
    assert client.command(f"{STATION.gate_command} soon") == ["ERROR: not a number: soon"]
    assert client.command(f"{STATION.gate_command} nan") == ["ERROR: not a number: nan"]
    assert client.gate(STATION.slug) == 1767225600.125
    assert client.set_gate(STATION.slug, 0) == 0.0


def test_other_verbs(client: LiquidsoapClient) -> None:
    assert client.uptime() >= 0
    remaining = client.remaining(STATION.output_id)
    assert remaining is None or remaining >= 0
    client.skip(STATION.emergency_queue)
    with pytest.raises(LiquidsoapError) as caught:
        client.skip("no_such_queue")
    assert caught.value.code == "refused"
    with pytest.raises(LiquidsoapError) as caught:
        client.metadata(999_999)
    assert caught.value.code == "no_such_request"


def wait_stopped(pid: int) -> None:
    """SIGSTOP is asynchronous: wait until the kernel reports the process stopped ("T")."""
    for _ in range(200):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state in ("T", "t"):
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} did not stop")


def test_timeout_when_liquidsoap_hangs(liq: LiquidsoapRun) -> None:
    assert liq.process is not None
    with LiquidsoapClient(liq.cfg.server_address, timeout=0.5) as client:
        client.uptime()
        os.kill(liq.process.pid, signal.SIGSTOP)
        try:
            wait_stopped(liq.process.pid)
            with pytest.raises(LiquidsoapError) as caught:
                client.uptime()
            assert caught.value.code == "timeout"
        finally:
            os.kill(liq.process.pid, signal.SIGCONT)
        # The late reply is not mistaken for the next one: the connection was dropped.
        assert client.command("version")[0].startswith("Liquidsoap 2.")


def test_killed_liquidsoap_is_unreachable_then_reconnected(
    liq: LiquidsoapRun, client: LiquidsoapClient, mp3: Path
) -> None:
    q = STATION.programme_queue
    client.set_gate(STATION.slug, time.time() + 60)
    client.push(q, mp3, {"item_id": "before-crash"})
    liq.kill()
    with pytest.raises(LiquidsoapError) as caught:
        client.queue(q)
    assert caught.value.code == "unreachable"
    liq.start(wait_for_mounts=False)
    # Same client object: it reconnects by itself; the new process has an empty queue.
    assert client.queue(q) == []
    assert client.gate(STATION.slug) == 0.0


def test_idle_connection_dropped_by_server_is_reopened(liq: LiquidsoapRun) -> None:
    # The server drops clients idle for server_timeout_s (1 s here); the client must notice
    # the closed connection and send the command again on a new one.
    with LiquidsoapClient(liq.cfg.server_address, idle_reconnect_s=3600) as client:
        client.uptime()
        time.sleep(1.6)
        assert client.uptime() >= 0
