"""A pronunciation lexicon that area admins extend: local place names, Khmer names, acronyms.

Applied to the text before any normaliser, in one pass, so a reading is never re-matched.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Scripts written without spaces between words: a term in them cannot be matched as a whole
# word, so it is matched wherever it occurs.
_UNSPACED = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")


def _clean(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def is_acronym(term: str) -> bool:
    """All-caps terms ("HTX", "TP HCM") match case-sensitively: "HTX" is not "htx"."""
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters if c.lower() != c.upper())


def _term_pattern(term: str) -> str:
    body = r"\s+".join(re.escape(word) for word in term.split(" "))
    if not is_acronym(term):
        body = f"(?i:{body})"
    if _UNSPACED.search(term):
        return body
    return rf"(?<!\w){body}(?!\w)"


@dataclass(frozen=True, init=False)
class Lexicon:
    """Term -> reading pairs; equal lexicons compare equal and share a fingerprint."""

    entries: tuple[tuple[str, str], ...]
    _pattern: re.Pattern[str] | None = field(compare=False, repr=False, hash=False)
    _lookup: dict[str, str] = field(compare=False, repr=False, hash=False)

    def __init__(self, entries: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = entries.items() if isinstance(entries, Mapping) else entries
        cleaned: dict[str, tuple[str, str]] = {}
        for raw_term, raw_reading in pairs:
            term, reading = _clean(raw_term), _clean(raw_reading)
            if not term or not reading:
                raise ValueError("Từ điển phát âm: mục và cách đọc không được để trống")
            key = term if is_acronym(term) else term.casefold()
            if key in cleaned:
                raise ValueError(f"Từ điển phát âm: mục {term!r} bị trùng")
            cleaned[key] = (term, reading)
        ordered = tuple(sorted(cleaned.values()))
        object.__setattr__(self, "entries", ordered)
        object.__setattr__(self, "_lookup", {k: reading for k, (_, reading) in cleaned.items()})
        # Longest first: "Tri Tôn" must win over "Tri" at the same position.
        by_length = sorted(ordered, key=lambda e: (-len(e[0]), e[0]))
        pattern = "|".join(_term_pattern(term) for term, _ in by_length)
        object.__setattr__(self, "_pattern", re.compile(pattern) if pattern else None)

    def __len__(self) -> int:
        return len(self.entries)

    def as_dict(self) -> dict[str, str]:
        return dict(self.entries)

    def reading(self, term: str) -> str | None:
        """The reading for `term` as it would be matched in text, or None."""
        # Only non-acronym terms are stored casefolded, so this never lets "htx" reach "HTX".
        term = _clean(term)
        return self._lookup.get(term) or self._lookup.get(term.casefold())

    def apply(self, text: str) -> str:
        if self._pattern is None:
            return text

        def replace(m: re.Match[str]) -> str:
            return self.reading(m.group(0)) or m.group(0)

        return self._pattern.sub(replace, unicodedata.normalize("NFC", text))

    def fingerprint(self) -> str:
        """sha256 of the entries, stable across processes: part of the render cache key."""
        payload = json.dumps(["lexicon/1", self.entries], ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
