"""Vietnamese number words, with the regional variants a loudspeaker audience expects.

The North (and standard broadcast speech, which the Central voice follows) reads a zero tens
digit as "linh" and 1000 as "nghìn"; the South says "lẻ" and "ngàn". Everything else is shared:
"mốt" for a final 1 after "mươi", "lăm" for a final 5 after "mười"/"mươi", and "không trăm" for
an empty hundreds digit inside a larger number.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

Region = Literal["north", "central", "south"]
REGIONS: tuple[str, ...] = get_args(Region)

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
MONTHS = (
    "một",
    "hai",
    "ba",
    "tư",
    "năm",
    "sáu",
    "bảy",
    "tám",
    "chín",
    "mười",
    "mười một",
    "mười hai",
)
_ODD = {"north": "linh", "central": "linh", "south": "lẻ"}
_THOUSAND = {"north": "nghìn", "central": "nghìn", "south": "ngàn"}
_SCALES = ((10**9, "tỷ"), (10**6, "triệu"))
# Beyond this a digit string is an identifier, not a quantity anyone says aloud.
_MAX_CARDINAL = 10**15

_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")
_GROUPED_DECIMAL = re.compile(r"(\d{1,3}(?:\.\d{3})+),(\d+)")
_COMMA_DECIMAL = re.compile(r"(\d+),(\d+)")
_DOT_DECIMAL = re.compile(r"(\d+)\.(\d{1,2})")


def check_region(region: str) -> Region:
    if region not in REGIONS:
        raise ValueError(f"Vùng đọc không hợp lệ: {region!r} (chọn một trong {', '.join(REGIONS)})")
    return region  # type: ignore[return-value]


def digits(text: str) -> str:
    """Each digit on its own: phone numbers, codes."""
    return " ".join(DIGITS[int(c)] for c in text if c.isdigit())


def _tens(n: int) -> str:
    """1..99 without any hundreds context."""
    if n < 10:
        return DIGITS[n]
    tens, unit = divmod(n, 10)
    head = "mười" if tens == 1 else f"{DIGITS[tens]} mươi"
    if unit == 0:
        return head
    if unit == 5:
        return f"{head} lăm"
    if unit == 1 and tens > 1:
        return f"{head} mốt"
    return f"{head} {DIGITS[unit]}"


def _hundreds(n: int, padded: bool, region: Region) -> str:
    """0..999; `padded` when a larger group precedes, so 5 reads "không trăm linh năm"."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not padded:
        return _tens(rest)
    head = f"{DIGITS[hundreds]} trăm"
    if rest == 0:
        return head
    if rest < 10:
        return f"{head} {_ODD[region]} {DIGITS[rest]}"
    return f"{head} {_tens(rest)}"


def _read(n: int, padded: bool, region: Region) -> str:
    for value, name in (*_SCALES, (1000, _THOUSAND[region])):
        if n >= value:
            head, rest = divmod(n, value)
            words = f"{_read(head, padded, region)} {name}"
            return words if rest == 0 else f"{words} {_read(rest, True, region)}"
    return _hundreds(n, padded, region)


def cardinal(n: int, region: Region = "north") -> str:
    if n < 0:
        return f"âm {cardinal(-n, region)}"
    if n == 0:
        return "không"
    if n >= _MAX_CARDINAL:
        return digits(str(n))
    return _read(n, False, region)


def fraction_digits(frac: str, region: Region = "north") -> str:
    """After "phẩy": two digits read as a number (3,25 "ba phẩy hai mươi lăm"), else one by one."""
    if len(frac) == 2 and frac[0] != "0":
        return cardinal(int(frac), region)
    return digits(frac)


def decimal(whole: str, frac: str, region: Region = "north") -> str:
    return f"{cardinal(int(whole), region)} phẩy {fraction_digits(frac, region)}"


def number(token: str, region: Region = "north") -> str:
    """A written Vietnamese number: "1.250.000", "12,5", "1.234,5", "2.5", "05"."""
    if token.isdigit():
        return cardinal(int(token), region)
    if _GROUPED.fullmatch(token):
        return cardinal(int(token.replace(".", "")), region)
    for pattern in (_GROUPED_DECIMAL, _COMMA_DECIMAL, _DOT_DECIMAL):
        m = pattern.fullmatch(token)
        if m:
            return decimal(m.group(1).replace(".", ""), m.group(2), region)
    # "1.2.3" and the like: no quantity reading exists, so keep every digit audible.
    runs = re.findall(r"\d+", token)
    return " chấm ".join(cardinal(int(run), region) for run in runs)


def ordinal(n: int, region: Region = "north") -> str:
    """The word after "thứ": thứ nhất, thứ hai, thứ tư, thứ mười."""
    if n == 1:
        return "nhất"
    if n == 4:
        return "tư"
    return cardinal(n, region)


def month(m: int) -> str:
    return MONTHS[m - 1]


def roman_value(text: str) -> int | None:
    """I..XXXIX as used for congresses, terms and quarters; None if not canonical roman."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50}
    if not text or any(c not in values for c in text):
        return None
    total = 0
    for i, c in enumerate(text):
        v = values[c]
        total += -v if i + 1 < len(text) and values[text[i + 1]] > v else v
    return total if 0 < total < 90 and _to_roman(total) == text else None


def _to_roman(n: int) -> str:
    out = ""
    for value, sym in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out
