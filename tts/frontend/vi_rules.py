"""Our rules for Vietnamese bulletins, applied before g2p-hamster.

The text is a list of pieces. A rule rewrites only `raw` pieces and turns each match into a
`done` piece, which nothing later touches: our reading of a number or a date is final, and
g2p-hamster never sees it (it would otherwise re-read "sa", "se" and other syllables as English
letters). A `shield` piece (URL, e-mail) skips our rules and goes to g2p-hamster alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from tts.frontend import vi_abbrev as ab
from tts.frontend import vi_numbers as nu
from tts.frontend import vi_readers as rd
from tts.frontend.vi_numbers import Region

PieceKind = Literal["raw", "done", "shield"]
Replace = Callable[[re.Match[str], Region], str | None]


@dataclass(frozen=True, slots=True)
class Piece:
    kind: PieceKind
    text: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    pattern: re.Pattern[str]
    replace: Replace
    kind: PieceKind = "done"


def apply_rules(pieces: list[Piece], rules: Iterable[Rule], region: Region) -> list[Piece]:
    for rule in rules:
        out: list[Piece] = []
        for piece in pieces:
            if piece.kind != "raw":
                out.append(piece)
                continue
            pos = 0
            for m in rule.pattern.finditer(piece.text):
                reading = rule.replace(m, region)
                if reading is None:
                    continue
                out.append(Piece("raw", piece.text[pos : m.start()]))
                out.append(Piece(rule.kind, reading, m.group(0)))
                pos = m.end()
            out.append(Piece("raw", piece.text[pos:]))
        pieces = [p for p in out if p.text]
    return pieces


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


NUM = r"\d+(?:[.,]\d+)*"
# A number ends where no letter, digit or "1.250"/"7:30"/"5/2025"-style continuation follows,
# and starts where it is not the tail of one.
END = r"(?![\w]|[.,:/]\d)"
START = r"(?<![\w.,:/])"

_UNIT = rf"(?P<unit>{_alternation(rd.UNITS)})(?P<per>(?:/(?:{_alternation(rd.PER)}))*)(?![\w])"
_MULT = rf"(?:\s*(?P<mult>{_alternation(rd.MULTIPLIERS)}))?"
_DATE_WORD = r"(?P<pre>(?:[Nn]gày|[Mm]ùng|[Hh]ôm)\s+)?"

# A clock time; {p} prefixes the group names so two times can sit in one range pattern.
_TIME = (
    r"(?P<{p}h>\d{{1,2}})"
    r"(?::(?P<{p}m>[0-5]\d)(?::(?P<{p}s>[0-5]\d))?"  # 08:52, 08:52:30
    r"|[hH](?P<{p}hm>[0-5]\d)?"  # 6h30, 7h
    r"|[gG](?P<{p}gm>[0-5]\d))"  # 6g30
    r"(?![\w]|[.,]\d)"
)


def _rule(pattern: str, replace: Replace, kind: PieceKind = "done") -> Rule:
    return Rule(re.compile(pattern), replace, kind)


_CONTEXT_DAY = r"(?P<pre>\b(?:[Nn]gày|[Mm]ùng|[Ss]áng|[Tt]rưa|[Cc]hiều|[Tt]ối|[Đđ]êm|[Hh]ôm)\s+)"
_FRACTION_WORDS = r"giảm|tăng|chiếm|khoảng|gần|hơn|còn|chia|Giảm|Tăng|Chiếm|Khoảng|Gần|Hơn"
_CODE = r"[A-ZĐ][A-Za-zĐđ]*\d*(?:[-/][A-ZĐ][A-Za-zĐđ0-9]*)*"

RULES: tuple[Rule, ...] = (
    _rule(
        r"(?:https?://|www\.)[^\s]*[^\s.,;:!?)]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
        r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org)(?![\w.])",
        lambda m, r: m.group(0),
        "shield",
    ),
    _rule(
        r"(?P<w>(?:[Đđ]iện thoại|SĐT|ĐT|[Hh]otline|[Đđ]ường dây nóng)(?:\s+số)?\s*:?\s*)"
        r"(?P<p>\+?\d[\d .\-]{4,16}\d)" + END,
        rd.read_phone_after_word,
    ),
    _rule(
        START + r"(?P<p>(?:\+84|\(0\d{2,3}\)|0\d{1,4})(?:[ .\-]?\d{2,4}){1,4})" + END, rd.read_phone
    ),
    _rule(START + r"(?P<p>1[89]00[ .]?\d{3,4}(?:[ .]?\d{2,4})?)" + END, rd.read_phone),
    _rule(
        r"(?P<w>\b(?:[Gg]ọi|[Tt]ổng đài)(?:\s+số)?\s+)(?P<p>11[1-6])" + END,
        lambda m, r: m.group("w") + nu.digits(m.group("p")),
    ),
    _rule(
        START + rf"(?P<n>\d{{1,5}})/(?:(?P<y>\d{{4}})/)?(?P<code>{_CODE})",
        rd.read_document,
    ),
    _rule(START + rf"(?P<n>\d{{1,5}})-(?P<code>[A-ZĐ]{{1,6}}/{_CODE})", rd.read_document),
    _rule(r"(?<!\w)(?P<k>QL|ĐT|TL|HL)\.?\s?(?P<n>[1-9]\d{0,3})(?P<s>[A-Z]?)(?![\w])", rd.read_road),
    _rule(rf"(?<![\w])(?:{_alternation(ab.ABBREVIATIONS)})(?![\w])", rd.read_abbreviation),
    _rule(
        START + _DATE_WORD + r"(?P<d1>\d{1,2})/(?P<m1>\d{1,2})\s*[-–]\s*"
        r"(?P<d2>\d{1,2})/(?P<m2>\d{1,2})(?:/(?P<y>\d{4}))?" + END,
        rd.read_date_range,
    ),
    _rule(
        START
        + _DATE_WORD
        + r"(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
        + END,
        rd.read_dmy,
    ),
    _rule(
        START + r"(?P<a>\d{1,2})\s*[-–]\s*(?P<b>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}))?" + END,
        rd.read_day_range,
    ),
    _rule(
        _CONTEXT_DAY + r"(?P<d>\d{1,2})\s*-\s*(?P<m>\d{1,2})(?:-(?P<y>\d{4}))?" + END,
        rd.read_dated_by_word,
    ),
    _rule(
        r"(?P<pre>\b(?:[Tt]háng|[Qq]uý)\s+)?(?<![\w.,/])(?P<m>\d{1,2}|I{1,3}|IV)(?P<sep>[/-])"
        r"(?P<y>\d{4})" + END,
        rd.read_month_year,
    ),
    _rule(
        r"(?P<w>\b[Tt]háng\s+)(?P<m>\d{1,2})(?![\w/-]|[.,]\d)",
        lambda m, r: (
            f"{m.group('w')}{nu.month(int(m.group('m')))}" if 1 <= int(m.group("m")) <= 12 else None
        ),
    ),
    _rule(
        rf"(?P<w>\b(?:{_FRACTION_WORDS})\s+)(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})" + END,
        rd.read_fraction,
    ),
    _rule(
        START + _DATE_WORD + r"(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![\w/]|[.,]\d)",
        rd.read_day_month_slash,
    ),
    _rule(
        START + r"(?P<a>\d+)/(?P<b>\d+)" + END,
        lambda m, r: (
            f"{nu.cardinal(int(m.group('a')), r)} trên {nu.cardinal(int(m.group('b')), r)}"
        ),
    ),
    _rule(
        rf"(?P<w>\b[Mm]ỗi\s+)(?P<unit>{_alternation(rd.PER_ALONE)})(?![\w])",
        lambda m, r: f"{m.group('w')}{rd.UNITS[m.group('unit')]}",
    ),
    _rule(
        START + rf"(?P<a>{NUM})\s*[-–]\s*(?P<b>{NUM}){_MULT}(?:\s*{_UNIT})?" + END,
        rd.read_range,
    ),
    _rule(
        START + _TIME.format(p="a") + r"\s*[-–]\s*" + _TIME.format(p="b"),
        rd.read_time_range,
    ),
    _rule(START + _TIME.format(p="t"), rd.read_time),
    _rule(r"(?P<w>\b[Tt]hứ\s+)(?P<n>\d{1,3}|[IVXL]+)(?![\w])", rd.read_ordinal),
    _rule(
        r"(?P<w>\b(?:[Kk]hóa|[Kk]hoá|[Qq]uý|[Đđ]ại hội|[Kk]ỳ họp|[Tt]hế kỷ|[Pp]hần|[Cc]hương)\s+)"
        r"(?P<r>[IVXL]+)(?![\w])",
        rd.read_roman,
    ),
    _rule(START + rf"(?P<num>{NUM}){_MULT}\s*{_UNIT}", rd.read_quantity),
    _rule(  # "lớp 5A", "tổ 3B": a class or group code, the letter by its name
        START + r"(?P<n>\d{1,3})(?P<l>[A-ZĐ])(?![\w])",
        lambda m, r: f"{nu.cardinal(int(m.group('n')), r)} {ab.spell(m.group('l'))}",
    ),
    _rule(NUM, lambda m, r: nu.number(m.group(0), r)),
)
