"""Khmer number words: integers, decimals with either mark, digit strings, month names.

Integers come from khmerspeech's verbaliser (units ១-៩, tens ដប់ ... កៅសិប, then រយ ពាន់ ម៉ឺន
សែន លាន), which is right; its tokenizer is what misreads grouped numbers, so tokens are parsed
here. Groups of a number are separated by a space, as khmerspeech's word marks would be:
១២៣៤៥ -> "មួយម៉ឺន ពីរពាន់ បីរយ សែសិបប្រាំ".

Separators: "." and "," each serve as thousands separator (៥០.០០០, 1,250,000: Cambodian,
Vietnamese and English habits all reach us) when every group after the first has exactly three
digits and the first does not start with 0; otherwise the mark is a decimal point, read as
written: "," ក្បៀស, "." ចុច.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

from khmerspeech.text_normalization import khmer_number_verbalize  # type: ignore[import-untyped]

DIGITS = ("សូន្យ", "មួយ", "ពីរ", "បី", "បួន", "ប្រាំ", "ប្រាំមួយ", "ប្រាំពីរ", "ប្រាំបី", "ប្រាំបួន")
MONTHS = (
    "មករា",
    "កុម្ភៈ",
    "មីនា",
    "មេសា",
    "ឧសភា",
    "មិថុនា",
    "កក្កដា",
    "សីហា",
    "កញ្ញា",
    "តុលា",
    "វិច្ឆិកា",
    "ធ្នូ",
)
DECIMAL_MARK = {",": "ក្បៀស", ".": "ចុច"}
# Longer than this, a digit string is a code (an ID, an account), not an amount.
_MAX_AMOUNT_DIGITS = 15

_THOUSANDS_DOT = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?")
_THOUSANDS_COMMA = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_DECIMAL = re.compile(r"[0-9]+[.,][0-9]+")


_integer = cast(Callable[..., str], khmer_number_verbalize.integer)


def integer_words(digits: str) -> str:
    """'2025' -> 'ពីរពាន់ ម្ភៃប្រាំ'; leading zeros are not read ('05' -> 'ប្រាំ')."""
    if len(digits.lstrip("0")) > _MAX_AMOUNT_DIGITS:
        return digit_words(digits)
    return _integer(int(digits), sep=" ")


def digit_words(digits: str) -> str:
    """'0912' -> 'សូន្យ ប្រាំបួន មួយ ពីរ'."""
    return " ".join(DIGITS[int(d)] for d in digits)


def fraction_words(digits: str) -> str:
    """Decimal places: leading zeros one by one, then up to three digits as a number."""
    rest = digits.lstrip("0")
    words = ["សូន្យ"] * (len(digits) - len(rest))
    if len(rest) > 3:
        words.append(digit_words(rest))
    elif rest:
        words.append(integer_words(rest))
    return " ".join(words)


def _decimal_words(whole: str, mark: str, fraction: str) -> str:
    return f"{integer_words(whole)} {DECIMAL_MARK[mark]} {fraction_words(fraction)}"


def number_words(token: str) -> str:
    """A number as written with ASCII digits and optional '.'/',' separators."""
    if _THOUSANDS_DOT.fullmatch(token):
        whole, _, fraction = token.partition(",")
        whole = whole.replace(".", "")
        return _decimal_words(whole, ",", fraction) if fraction else integer_words(whole)
    if _THOUSANDS_COMMA.fullmatch(token):
        whole, _, fraction = token.partition(".")
        whole = whole.replace(",", "")
        return _decimal_words(whole, ".", fraction) if fraction else integer_words(whole)
    if _DECIMAL.fullmatch(token):
        mark = "," if "," in token else "."
        whole, _, fraction = token.partition(mark)
        return _decimal_words(whole, mark, fraction)
    if token.isdigit():
        return integer_words(token)
    # Anything else ("1.2.3" section numbers, "1,2,3" lists): each part on its own; a dot is
    # read, a comma only pauses.
    parts = re.split(r"([.,])", token)
    out = []
    for part in parts:
        if part == ".":
            out.append(" ចុច ")
        elif part == ",":
            out.append(", ")
        elif part:
            out.append(integer_words(part))
    return "".join(out)
