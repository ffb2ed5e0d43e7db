"""The endpoint device's HTTP: the station token on every request, retries, resumable downloads.

A refused connection is retried by httpx's transport (`retries`, with httpcore's exponential
backoff); a connection lost in the middle of a request by a small bounded loop, with a
download resuming where it stopped (HTTP Range).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from studio.endpoint_package import EndpointError

CONNECT_RETRIES = 2
ATTEMPTS = 3  # of a request whose connection breaks after it was made
BACKOFF_S = 0.5
CHUNK = 64 * 1024


def _detail(response: httpx.Response) -> str:
    with contextlib.suppress(ValueError, AttributeError):
        detail = response.json().get("detail")
        if isinstance(detail, str) and detail.strip():
            return detail.strip()
    return response.reason_phrase or str(response.status_code)


class DeviceHttp:
    def __init__(self, base_url: str, token: str, software: str, timeout_s: float) -> None:
        base = base_url.rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EndpointError(
                f"Địa chỉ máy chủ không hợp lệ {base_url[:100]!r} (ví dụ http://127.0.0.1:8000)",
                "data",
            )
        self.base_url = base
        self.client = httpx.Client(
            base_url=base,
            headers={"Authorization": f"Bearer {token}", "User-Agent": software},
            timeout=httpx.Timeout(timeout_s, connect=min(5.0, timeout_s)),
            transport=httpx.HTTPTransport(retries=CONNECT_RETRIES),
        )

    def close(self) -> None:
        self.client.close()

    def _unreachable(self, exc: Exception) -> EndpointError:
        return EndpointError(
            f"Không kết nối được máy chủ {self.base_url} ({type(exc).__name__})", "network"
        )

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        delay = BACKOFF_S
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self.client.request(method, url, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise self._unreachable(exc) from exc  # the transport has already retried
            except httpx.TransportError as exc:
                if attempt == ATTEMPTS:
                    raise EndpointError(
                        f"Mất kết nối với máy chủ {self.base_url} ({type(exc).__name__})",
                        "network",
                    ) from exc
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def check(self, response: httpx.Response, doing: str) -> None:
        """A clear EndpointError for anything but a success."""
        status = response.status_code
        if status < 300:
            return
        if not response.is_closed:
            response.read()
        detail = _detail(response)
        if status in (401, 403):
            raise EndpointError(
                f"Máy chủ từ chối mã truy cập của đài khi {doing} ({status}): {detail}", "auth"
            )
        if status in (404, 410):
            raise EndpointError(f"Không {doing} được ({status}): {detail}", "not_found")
        raise EndpointError(f"Máy chủ trả lỗi khi {doing} ({status}): {detail}", "server")

    def download(self, url: str, part: Path, size: int) -> None:
        """Bring `part` to `size` bytes from `url`, resuming a partial file; the caller checks
        the content."""
        part.parent.mkdir(parents=True, exist_ok=True)
        delay = BACKOFF_S
        for attempt in range(1, ATTEMPTS + 1):
            have = part.stat().st_size if part.exists() else 0
            if have > size:
                part.unlink()
                have = 0
            if have == size and size > 0:
                return
            headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                with self.client.stream("GET", url, headers=headers) as response:
                    if response.status_code == 416:  # our partial file is not theirs: restart
                        part.unlink(missing_ok=True)
                        continue
                    self.check(response, f"tải tệp {Path(urlsplit(url).path).name}")
                    resumed = response.status_code == 206
                    with part.open("ab" if resumed else "wb") as fh:
                        for chunk in response.iter_bytes(CHUNK):
                            fh.write(chunk)
                            if fh.tell() > size:
                                break  # more than the manifest says: the check will refuse it
                        fh.flush()
                        os.fsync(fh.fileno())
                return
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise self._unreachable(exc) from exc
            except httpx.TransportError as exc:
                if attempt == ATTEMPTS:
                    raise EndpointError(
                        f"Tải tệp bị ngắt nhiều lần ({type(exc).__name__})", "network"
                    ) from exc
                time.sleep(delay)
                delay *= 2

    def record(self, url: str, path: Path, seconds: float) -> tuple[str, int]:
        """Follow `url`'s redirect to a live stream and write `seconds` of it to `path`
        (atomically). httpx drops the token when the redirect leaves this server's origin."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        written = 0
        try:
            with (
                self.client.stream("GET", url, follow_redirects=True) as response,
                tmp.open("wb") as fh,
            ):
                if response.status_code != 200:
                    self.check(response, f"nghe luồng trực tiếp {response.url}")
                    raise EndpointError(f"Luồng trực tiếp trả về {response.status_code}", "server")
                deadline = time.monotonic() + seconds
                for chunk in response.iter_raw(4096):
                    fh.write(chunk)
                    written += len(chunk)
                    if time.monotonic() >= deadline:
                        break
                fh.flush()
                os.fsync(fh.fileno())
                where = str(response.url)
            if written == 0:
                raise EndpointError(f"Luồng trực tiếp {where} không có dữ liệu", "server")
            os.replace(tmp, path)
            return where, written
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise EndpointError(
                f"Không kết nối được máy chủ {self.base_url} hoặc luồng trực tiếp của đài "
                f"({type(exc).__name__})",
                "network",
            ) from exc
        except httpx.TransportError as exc:
            raise EndpointError(
                f"Mất luồng trực tiếp ({type(exc).__name__}: {exc})", "network"
            ) from exc
        finally:
            tmp.unlink(missing_ok=True)
