"""Text front-end: what a voice will actually read, and in which pieces.

`normalize` cleans the text, hands it to the language's normaliser (vi: our rules around
g2p-hamster; km: tts.frontend.km) and splits the result into segments with pauses. The output
is what editors preview and what the render cache keys on, together with FRONTEND_VERSION.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from dataclasses import dataclass
from importlib import metadata
from typing import Protocol, cast

from tts.frontend.lexicon import Lexicon
from tts.frontend.split import Segment, split_text
from tts.frontend.vi import REGIONS, Region, normalize_vi
from tts.frontend.vi_numbers import check_region

__all__ = [
    "FRONTEND_VERSION",
    "LANGUAGES",
    "REGIONS",
    "Lexicon",
    "NormalizedText",
    "Region",
    "Segment",
    "clean_text",
    "normalize",
    "normalize_vi",
    "split_text",
]

LANGUAGES = ("vi", "km")
_RULES_VERSION = "1"


def _dependency_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


# Bump _RULES_VERSION when our rules change; the normalisers we wrap are versioned too, since
# an upgrade of either changes what gets read and so must invalidate cached renders.
FRONTEND_VERSION = (
    f"{_RULES_VERSION}+g2p-hamster.{_dependency_version('g2p-hamster')}"
    f"+khmerspeech.{_dependency_version('khmerspeech')}"
)

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
_SPACES = re.compile(r"[^\S\n]+")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    original: str
    text: str
    language: str
    segments: tuple[Segment, ...]


class _KhmerNormalizer(Protocol):
    def __call__(self, text: str, lexicon: Lexicon | None = None) -> str: ...


def clean_text(text: str) -> str:
    """NFC, no zero-width characters, single spaces, paragraphs kept as one blank line."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _normalize_km(text: str, lexicon: Lexicon | None) -> str:
    # Imported on use: the Khmer front-end loads its own dependencies.
    module = importlib.import_module("tts.frontend.km")
    return cast(_KhmerNormalizer, module.normalize_km)(text, lexicon=lexicon)


def normalize(
    text: str, language: str, region: str = "north", lexicon: Lexicon | None = None
) -> NormalizedText:
    """The reading of `text` in `language`; `region` picks Vietnamese reading variants."""
    if language not in LANGUAGES:
        raise ValueError(f"Ngôn ngữ không được hỗ trợ: {language!r} (chọn vi hoặc km)")
    checked: Region = check_region(region)
    cleaned = clean_text(text)
    if language == "vi":
        spoken = normalize_vi(cleaned, checked, lexicon)
    else:
        spoken = _normalize_km(cleaned, lexicon)
    return NormalizedText(
        original=text,
        text=spoken,
        language=language,
        segments=tuple(split_text(spoken, language)),
    )
