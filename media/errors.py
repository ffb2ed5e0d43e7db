"""The one error the media package raises: a message an operator can read (Vietnamese)."""

from __future__ import annotations


class MediaError(Exception):
    """Bad or unusable audio, or a media tool that failed.

    `message` is shown to operators as is; `code` is a stable machine tag (e.g. "truncated",
    "too_long") so callers can pick an HTTP status without parsing Vietnamese text.
    """

    def __init__(self, message: str, *, code: str = "media") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message
