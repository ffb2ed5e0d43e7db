"""Cut normalised text into pieces an engine can say in one go, with the pause after each.

Paragraphs (blank lines) pause longer than sentences; a line break ends a sentence (headings
carry no full stop). A sentence longer than `max_chars` is cut at commas and semicolons, then
between words, and only as a last resort inside a word (a Khmer run with no word marks).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PARAGRAPH_PAUSE_MS = 700
SENTENCE_PAUSE_MS = 350
CLAUSE_PAUSE_MS = 150
WORD_PAUSE_MS = 0

_CLOSERS = re.escape("\"'”’»)]")
_SENTENCE_END = {
    "vi": re.compile(rf"[.!?…]+[{_CLOSERS}]*(?=\s|$)"),
    "km": re.compile(rf"[។៕!?]+[{_CLOSERS}]*"),
}
_CLAUSE_END = re.compile(r"[,;:،៖]+\s*")
# Word boundaries: spaces; for Khmer also khmerspeech's "▁" and the zero-width space.
_WORD_GAP = {"vi": re.compile(r"\s+"), "km": re.compile(r"[\s▁\u200b]+")}
_TRIM = " \t\n▁\u200b"
_COENG = "\u17d2"


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    pause_after_ms: int


def _sentences(line: str, language: str) -> list[str]:
    out, start = [], 0
    for m in _SENTENCE_END[language].finditer(line):
        out.append(line[start : m.end()])
        start = m.end()
    out.append(line[start:])
    return [s.strip(_TRIM) for s in out if s.strip(_TRIM)]


def _cut_after(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Pieces of `text`, each ending with the separator that followed it."""
    pieces, start = [], 0
    for m in pattern.finditer(text):
        pieces.append(text[start : m.end()])
        start = m.end()
    pieces.append(text[start:])
    return [p for p in pieces if p]


def _pack(pieces: list[str], max_chars: int) -> list[str]:
    """Greedily join consecutive pieces while the result stays within `max_chars`."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and len((current + piece).strip(_TRIM)) > max_chars:
            chunks.append(current)
            current = ""
        current += piece
    if current:
        chunks.append(current)
    return [c.strip(_TRIM) for c in chunks if c.strip(_TRIM)]


def _hard_split(word: str, max_chars: int) -> list[str]:
    """Fixed-size cuts that never separate a base letter from its marks or a coeng pair."""
    out = []
    while len(word) > max_chars:
        cut = max_chars
        while cut > 1 and (
            unicodedata.category(word[cut]).startswith("M")
            or word[cut - 1] == _COENG
            or word[cut] == _COENG
        ):
            cut -= 1
        out.append(word[:cut])
        word = word[cut:]
    return [*out, word] if word else out


def _split_long(sentence: str, language: str, max_chars: int) -> list[tuple[str, int]]:
    if len(sentence) <= max_chars:
        return [(sentence, 0)]
    out: list[tuple[str, int]] = []
    for clause in _pack(_cut_after(sentence, _CLAUSE_END), max_chars):
        if len(clause) <= max_chars:
            out.append((clause, CLAUSE_PAUSE_MS))
            continue
        words = _cut_after(clause, _WORD_GAP[language])
        for chunk in _pack(words, max_chars):
            for piece in _hard_split(chunk, max_chars):
                out.append((piece, WORD_PAUSE_MS))
        out[-1] = (out[-1][0], CLAUSE_PAUSE_MS)
    return out


def _speakable(text: str) -> bool:
    return any(c.isalnum() for c in text)


def split_text(text: str, language: str, max_chars: int = 400) -> list[Segment]:
    if language not in _SENTENCE_END:
        raise ValueError(f"Ngôn ngữ không được hỗ trợ: {language!r}")
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    segments: list[Segment] = []
    for paragraph in re.split(r"\n[ \t]*\n\s*", text.strip()):
        sentences = [s for line in paragraph.split("\n") for s in _sentences(line, language)]
        for i, sentence in enumerate(sentences):
            pause = PARAGRAPH_PAUSE_MS if i == len(sentences) - 1 else SENTENCE_PAUSE_MS
            pieces = _split_long(sentence, language, max_chars)
            pieces[-1] = (pieces[-1][0], pause)
            for piece, piece_pause in pieces:
                if _speakable(piece):
                    segments.append(Segment(piece, piece_pause))
                elif segments:  # stray punctuation: keep its pause, drop its text
                    last = segments[-1]
                    segments[-1] = Segment(last.text, max(last.pause_after_ms, piece_pause))
    if segments:
        segments[-1] = Segment(segments[-1].text, 0)
    return segments
