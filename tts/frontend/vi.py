"""Vietnamese text front-end: our bulletin rules around g2p-hamster's normaliser.

Order: the admin's lexicon, then our rules (phones, documents, abbreviations, dates, times,
quantities, numbers; see vi_rules), then g2p-hamster on whatever is left (URLs, its own
abbreviations, symbols, shouted headings), then fixes for what it gets wrong:
- a sentence ending in an acronym ("... gồm UBND, MTTQ, HĐND.") loses its full stop;
- unknown acronyms come back as capital letters ("B I D V"), which espeak-ng reads in English;
- plain syllables that collide with its English abbreviations ("sa", "se") are re-read as
  letters ("ét ê"), so those words are kept away from it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from functools import cache

from tts.frontend.lexicon import Lexicon
from tts.frontend.vi_abbrev import LETTERS, VOWELS, spell
from tts.frontend.vi_numbers import REGIONS, Region, check_region
from tts.frontend.vi_rules import RULES, Piece, Rule, apply_rules

__all__ = ["REGIONS", "Region", "normalize_vi"]

log = logging.getLogger(__name__)

_SENTENCE_END = ".!?…"
_PLAIN_PUNCTUATION = frozenset(".,;:!?…()[]-–— ")
_CAPITALS = "".join(LETTERS)
# g2p-hamster spells unknown acronyms as capitals ("B I D V"); a lone capital is an initial
# ("khu B") unless it is a vowel, which is also a word ("Trạm Y tế").
_SPELLED = re.compile(rf"(?<!\w)[{_CAPITALS}](?: [{_CAPITALS}])+(?!\w)")
_CONSONANT = re.compile(rf"(?<!\w)[{''.join(c for c in LETTERS if c not in VOWELS)}](?!\w)")
_BULLET = re.compile(r"^[-–—+•*·]\s+")
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?…)\]])")
_SPACE_AFTER = re.compile(r"([(\[])\s+")
_SYLLABLE = re.compile(
    r"(?:ngh|ch|gh|gi|kh|ng|nh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"[aăâeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]{1,3}"
    r"(?:ch|nh|ng|[cmnpt])?"
)


@cache
def _hamster() -> Callable[[str], str]:
    from g2p_hamster.t0 import normalize  # type: ignore[import-untyped]

    def read(text: str) -> str:
        return str(normalize(text)["read_string"])

    return read


@cache
def _colliding_syllables() -> frozenset[str]:
    """Vietnamese-looking words that g2p-hamster would expand as abbreviations or slang."""
    from g2p_hamster.t0 import dicts

    keys = set(dicts.abbrev()) | set(dicts.slang())
    return frozenset(k for k in keys if _SYLLABLE.fullmatch(k))


@cache
def _mask_rule() -> Rule:
    collisions = _colliding_syllables()

    def keep(m: re.Match[str], region: Region) -> str | None:
        word = m.group(0)
        shouted = len(word) > 1 and word.isupper()
        return word if word.lower() in collisions and not shouted else None

    return Rule(re.compile(r"(?<!\w)\w+(?!\w)"), keep)


def _hamster_read(source: str) -> str:
    stripped = source.strip()
    if all(c in _PLAIN_PUNCTUATION for c in stripped):
        return stripped  # bare punctuation between our readings
    try:
        read = _hamster()(stripped)
    except Exception:  # its rules are a third party's; one odd fragment must not sink a bulletin
        log.warning("g2p-hamster failed on %r; fragment kept as written", stripped, exc_info=True)
        read = stripped
    read = _SPELLED.sub(lambda m: spell(m.group(0).replace(" ", "")), read)
    read = _CONSONANT.sub(lambda m: spell(m.group(0)), read)
    if stripped[-1] in _SENTENCE_END and read[-1:] not in _SENTENCE_END:
        read = read.rstrip(",;:") + stripped[-1]
    return read


def _plain_digits(text: str) -> str:
    """ "m²" -> "m2", "①" -> "1": digits that are not decimal digits break int() downstream."""
    if text.isascii():
        return text
    return "".join(
        unicodedata.normalize("NFKC", c) if c.isdigit() and not c.isdecimal() else c for c in text
    )


def _capitalise(text: str) -> str:
    for i, c in enumerate(text):
        if c.isalpha():
            return text[:i] + c.upper() + text[i + 1 :]
    return text


def _render_line(line: str, region: Region) -> str:
    line = _BULLET.sub("", line.strip())  # list dashes are layout, not words
    pieces = apply_rules([Piece("raw", line)], (*RULES, _mask_rule()), region)
    parts: list[str] = []
    for piece in pieces:
        if piece.kind == "done":
            text = piece.text
            at_start = not parts or parts[-1].rstrip()[-1:] in _SENTENCE_END
            first = piece.source[:1]
            if at_start and (first.isupper() or first.isdigit()):
                text = _capitalise(text)
        else:
            text = _hamster_read(piece.text)
        if text:
            parts.append(text)
    joined = " ".join(parts)
    joined = _SPACE_BEFORE.sub(r"\1", joined)
    joined = _SPACE_AFTER.sub(r"\1", joined)
    return " ".join(joined.split())


def normalize_vi(text: str, region: Region = "north", lexicon: Lexicon | None = None) -> str:
    """What a Vietnamese voice should read for `text`, in the reading habits of `region`.

    Paragraphs (blank lines) and line breaks are kept so the splitter can pause on them.
    """
    region = check_region(region)
    text = _plain_digits(unicodedata.normalize("NFC", text))
    if lexicon is not None:
        text = lexicon.apply(text)
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [_render_line(line, region) for line in paragraph.split("\n") if line.strip()]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)
