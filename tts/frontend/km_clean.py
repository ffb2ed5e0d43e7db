"""Unicode clean-up for Khmer text before it is read.

Bulletins reach us pasted from Word files, chat apps and legacy-font converters. The fixes here
are the ones a reader cannot hear but a voice stumbles on:
- invisible characters (zero-width space, ZWNJ/ZWJ, BOM, soft hyphen) and the two inherent
  vowels U+17B4/U+17B5, which Unicode says not to use;
- deprecated letters Unicode maps to other spellings: U+17A3 -> អ, U+17A4 -> អា, U+17D3 -> ំ;
  ឲ (U+17B2) -> ឱ, the spelling of the Ministry of Education's standard ("ឱ្យ");
- signs typed in the wrong order inside one written syllable (a vowel before its subscript,
  nikahit or reahmuk before the vowel, coeng-ro before another subscript), put in the order
  of SIL's Khmer normalisation: base, robat, subscripts (coeng-ro last), register shifter,
  vowel, signs, reahmuk/yuukaleapintu;
- two-part vowels typed as halves (េ + ី -> ើ, េ + ា -> ោ), and the same sign typed twice;
- marks with no letter to sit on, which render as a dotted circle and cannot be read, and a
  coeng with no letter to subscript.
"""

from __future__ import annotations

import re
import unicodedata

_REMOVE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u17b4\u17b5"))
_REPLACE = str.maketrans({"\u17a3": "\u17a2", "\u17a4": "\u17a2\u17b6", "\u17d3": "\u17c6"})
_VARIANT_O = ("\u17b2", "\u17b1")

_COENG = "\u17d2"
_RO = "\u179a"
# A written syllable: a base letter and the marks that belong to it. A coeng only counts
# together with the letter it subscripts; a dangling one ends the syllable.
_SYLLABLE = re.compile(r"[\u1780-\u17b3](?:\u17d2[\u1780-\u17b3]|[\u17b6-\u17d1\u17d3\u17dd])+")
_MARK = re.compile(r"\u17d2[\u1780-\u17b3]|.", re.DOTALL)
_SPLIT_VOWELS = {
    frozenset("\u17c1\u17b8"): "\u17be",
    frozenset("\u17c1\u17b6"): "\u17c4",
}
_DANGLING_COENG = re.compile(r"\u17d2(?![\u1780-\u17b3])")
# Marks with no letter to sit on (after a space, a digit, punctuation) cannot be said.
_ORPHAN_MARKS = re.compile(r"(?<![\u1780-\u17d3\u17dd])[\u17b6-\u17d3\u17dd]+")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _rank(mark: str) -> int:
    if mark == "\u17cc":  # robat
        return 0
    if mark.startswith(_COENG):
        return 2 if mark[1] == _RO else 1
    if mark in "\u17c9\u17ca":  # register shifters
        return 3
    if "\u17b6" <= mark <= "\u17c5":  # dependent vowels
        return 4
    if mark in "\u17c7\u17c8":  # reahmuk, yuukaleapintu: always last
        return 6
    return 5


def _fix_syllable(m: re.Match[str]) -> str:
    syllable = m.group(0)
    marks = sorted(_MARK.findall(syllable[1:]), key=_rank)  # stable: keeps equal ranks in order
    kept: list[str] = []
    for mark in marks:
        if kept and mark == kept[-1] and not mark.startswith(_COENG):
            continue  # the same vowel or sign typed twice
        kept.append(mark)
    vowels = [mark for mark in kept if _rank(mark) == 4]
    composed = _SPLIT_VOWELS.get(frozenset(vowels)) if len(vowels) == 2 else None
    if composed is not None:
        first = kept.index(vowels[0])
        kept = [mark for mark in kept if mark not in vowels]
        kept.insert(first, composed)
    return syllable[0] + "".join(kept)


def clean_khmer(text: str) -> str:
    """NFC, invisible and deprecated characters gone, syllables in canonical order."""
    text = unicodedata.normalize("NFC", text).translate(_REMOVE).translate(_REPLACE)
    text = text.replace(*_VARIANT_O)
    text = _DANGLING_COENG.sub("", text)
    text = _SYLLABLE.sub(_fix_syllable, text)
    text = _ORPHAN_MARKS.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _HORIZONTAL_SPACE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()
