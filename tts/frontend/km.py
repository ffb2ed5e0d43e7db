"""Khmer text front-end: what a Khmer voice should read for a bulletin.

Order: Unicode clean-up (km_clean), the admin's lexicon, then our rules on the numbers, most
specific first so that each consumes its own separators: phone numbers, dates, times, the
month after ខែ, ranges, quantities (money, percentages, units), then every remaining number.
The output is plain Khmer text: no digits, number words grouped with single spaces, sentence
marks ។ ៕ kept for the splitter.

khmerspeech 0.2.0's `TN` is not run on the text. Besides ៥០.០០០ -> "ហាសិបចុចសូន្យ",
1,250,000 -> "មួយក្បៀសពីររយ▁ហាសិបក្បៀសសូន្យ" and ៧:៣០ -> "ប្រាំពីរចុចពីរសាមសិប", it reads
punctuation aloud (a comma becomes "ក្បៀស", a dash "ត្រេ", brackets "បើកវង់ក្រចក"), reads
20/5/2025 as "ម្ភៃស្លាសប្រាំស្លាស...", strips Vietnamese letters ("50.000đ" ends in "d"), reads
a Vietnamese phone number as one amount ("ប្រាំបួនរយ ដប់ពីរលាន ..."), and without a word
segmenter repeats a whole clause for ៗ (left to the voice here). We use its integer
verbaliser (km_numbers), which is right.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from tts.frontend.km_clean import clean_khmer
from tts.frontend.km_numbers import MONTHS, digit_words, integer_words, number_words
from tts.frontend.km_words import CURRENCIES, PER, SUFFIXES
from tts.frontend.lexicon import Lexicon

__all__ = ["normalize_km"]

Replace = Callable[[re.Match[str]], str]

_NUM = r"[0-9]+(?:[.,][0-9]+)*"
# An amount may also be grouped with spaces ("១០ ០០០ រៀល"); only trusted before a currency
# or unit, since elsewhere two numbers can stand side by side.
_AMOUNT = rf"(?:(?<![0-9])[1-9][0-9]{{0,2}}(?: [0-9]{{3}})+(?![0-9])|{_NUM})"
# clean_khmer leaves only " " and "\n" as white space. Rules never reach across a line break:
# lines are headings and list items of their own.
_START = r"(?<![0-9.,:/])"
_END = r"(?![0-9]|[.,:/][0-9])"
_LATIN = r"A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_ETC = "ល៉ៈ"  # how ។ល។ ("and so on") is read


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _digits_to_ascii(text: str) -> str:
    """Every decimal digit (Khmer ០-៩ and any other script) and Khmer lek attak to 0-9."""
    out = []
    for ch in text:
        if "0" <= ch <= "9":
            out.append(ch)
        elif "\u17f0" <= ch <= "\u17f9":
            out.append(str(ord(ch) - 0x17F0))
        elif unicodedata.category(ch) == "Nd":
            out.append(str(unicodedata.decimal(ch)))
        else:
            out.append(ch)
    return "".join(out)


# --- phone numbers: digit by digit, in the groups they were written in ----------------------

_PHONE_WORD = r"(?:ទូរស័ព្ទ|ទូរសព្ទ|ហៅ|[Hh]otline)(?: *លេខ)? *[៖:]? *"
_PHONE_AFTER_WORD = re.compile(
    rf"(?P<pre>{_PHONE_WORD})(?P<num>\+?[0-9]+(?:[ .-][0-9]+)*){_END}(?![{_LATIN}])"
)
_PHONE_SHAPE = re.compile(
    rf"{_START}(?<!\+)(?P<num>(?:\+84|\(0[0-9]{{2,3}}\)|0[0-9]{{2,3}}|1[89]00)(?:[ .-]?[0-9])+)"
    rf"{_END}"
)


def _phone_groups(number: str) -> list[str]:
    groups = [g for g in re.split(r"[ .()-]+", number) if g]
    if groups[0].startswith("+84") and len(groups[0]) > 3:
        groups = ["+84", groups[0][3:], *groups[1:]]
    if len(groups) == 1 or (groups[0] == "+84" and len(groups) == 2):
        solid = groups[-1]
        cuts = {10: (4, 7), 11: (4, 8), 9: (3, 6), 8: (4,)}.get(len(solid), ())
        bounds = [0, *cuts, len(solid)]
        groups[-1:] = [solid[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    return groups


def _phone_words(number: str) -> str:
    words = []
    for group in _phone_groups(number):
        if group.startswith("+"):
            words.append("បូក " + digit_words(group[1:]))
        else:
            words.append(digit_words(group))
    return ", ".join(words)


def _digit_count(number: str) -> int:
    return sum(c.isdigit() for c in number)


def _shaped_like_a_phone(number: str) -> bool:
    digits = _digit_count(number)
    if number.startswith("+84"):
        return digits in (11, 12)
    if number.startswith("1"):  # 1800/1900 hotlines
        return digits in (8, 10)
    return digits in (10, 11)


def _after_word_is_a_phone(number: str) -> bool:
    return 3 <= _digit_count(number) <= (12 if number.startswith("+") else 11)


def _read_phone(number: str, valid: Callable[[str], bool]) -> str:
    """The longest run of leading groups that is a phone number, read; the rest left as is
    (a separate number that happened to follow it)."""
    ends = [m.start() for m in re.finditer(r"[ .-]+(?=[0-9])", number)] + [len(number)]
    for end in reversed(ends):
        if valid(number[:end]):
            return _phone_words(number[:end]) + number[end:]
    return number


def _phone_after_word(m: re.Match[str]) -> str:
    return m.group("pre") + _read_phone(m.group("num"), _after_word_is_a_phone)


def _phone_shape(m: re.Match[str]) -> str:
    return _read_phone(m.group("num"), _shaped_like_a_phone)


# --- dates ----------------------------------------------------------------------------------

_DAY_WORD = r"(?:ថ្ងៃ(?:ទី)? *)"
_ISO_DATE = re.compile(rf"{_START}(?P<y>[0-9]{{4}})-(?P<m>[0-9]{{1,2}})-(?P<d>[0-9]{{1,2}}){_END}")
_DMY_DATE = re.compile(
    rf"{_DAY_WORD}?{_START}(?P<d>[0-9]{{1,2}})(?P<sep>[/.-])(?P<m>[0-9]{{1,2}})(?P=sep)"
    rf"(?P<y>[0-9]{{4}}){_END}"
)
# Without a year, "12/3" is as likely a house number: only a date after ថ្ងៃ/ថ្ងៃទី.
_DM_DATE = re.compile(rf"{_DAY_WORD}(?P<d>[0-9]{{1,2}})[/-](?P<m>[0-9]{{1,2}}){_END}")
# "ខែ ៥" is May; "៦ ខែ" is six months, so a number before ខែ blocks the month, unless it is
# the day of "ថ្ងៃទី ២០ ខែ ៥".
_DAY_MONTH = re.compile(
    rf"(?P<pre>ថ្ងៃទី *)(?P<d>[0-9]{{1,2}})(?P<ws1> *)ខែ(?P<ws2> *)(?P<m>[0-9]{{1,2}}){_END}"
)
_MONTH = re.compile(rf"(?<![0-9])(?<![0-9] )ខែ(?P<ws> *)(?P<m>[0-9]{{1,2}}){_END}")


def _date(m: re.Match[str]) -> str:
    day, month = int(m.group("d")), int(m.group("m"))
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return m.group(0)
    words = f"ថ្ងៃទី {integer_words(m.group('d'))} ខែ {MONTHS[month - 1]}"
    year = m.groupdict().get("y")
    return f"{words} ឆ្នាំ {integer_words(year)}" if year else words


def _day_month(m: re.Match[str]) -> str:
    day, month = int(m.group("d")), int(m.group("m"))
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return m.group(0)
    return (
        f"{m.group('pre')}{integer_words(m.group('d'))}{m.group('ws1')}"
        f"ខែ{m.group('ws2')}{MONTHS[month - 1]}"
    )


def _month(m: re.Match[str]) -> str:
    month = int(m.group("m"))
    if not 1 <= month <= 12:
        return m.group(0)
    return f"ខែ{m.group('ws')}{MONTHS[month - 1]}"


# --- times: ៧:៣០, 7h30, 17h; "ម៉ោង" said once --------------------------------------------------


def _time_pattern(n: int) -> str:
    return (
        rf"(?:ម៉ោង *)?{_START}(?P<h{n}>[0-9]{{1,2}})"
        rf"(?: ?: ?(?P<m{n}>[0-9]{{2}})(?::(?P<s{n}>[0-9]{{2}}))?|(?:h|giờ)(?P<hm{n}>[0-9]{{2}})?)"
        rf"(?![0-9{_LATIN}])"
    )


_TIME = re.compile(rf"{_time_pattern(1)}(?: *[-–] *{_time_pattern(2)})?")


def _clock(m: re.Match[str], n: int) -> str | None:
    hour = int(m.group(f"h{n}"))
    minute = m.group(f"m{n}") or m.group(f"hm{n}") or "0"
    second = m.group(f"s{n}") or "0"
    if hour > 24 or int(minute) > 59 or int(second) > 59:
        return None
    words = f"ម៉ោង {integer_words(str(hour))}"
    if int(minute):
        words += f" {integer_words(minute)}នាទី"
    if int(second):
        words += f" {integer_words(second)}វិនាទី"
    return words


def _time(m: re.Match[str]) -> str:
    start = _clock(m, 1)
    if start is None:
        return m.group(0)
    if m.group("h2") is None:
        return start
    end = _clock(m, 2)
    return m.group(0) if end is None else f"{start} ដល់ {end}"


# --- quantities: money, percentages, units --------------------------------------------------

_SUFFIX = _alternation(SUFFIXES)
_PER_UNIT = _alternation(PER)
_QUANTITY = re.compile(
    rf"(?P<num>{_AMOUNT}) *(?P<unit>{_SUFFIX})(?: */ *(?P<per>{_PER_UNIT}))?(?![{_LATIN}0-9])"
)
_MONEY_FIRST = re.compile(rf"(?P<cur>\$|៛) *(?P<num>{_AMOUNT})")
_LONE_CURRENCY = re.compile(rf"(?<![{_LATIN}])(?P<cur>VNĐ|VND|vnđ|đồng|đ)(?![{_LATIN}])")


def _amount_words(amount: str) -> str:
    return number_words(amount.replace(" ", ""))


def _quantity(m: re.Match[str]) -> str:
    words = f"{_amount_words(m.group('num'))} {SUFFIXES[m.group('unit')]}"
    per = m.group("per")
    return f"{words} ក្នុងមួយ{PER[per]}" if per else words


def _money_first(m: re.Match[str]) -> str:
    return f"{_amount_words(m.group('num'))} {CURRENCIES[m.group('cur')]}"


# --- the pipeline ---------------------------------------------------------------------------

_RULES: tuple[tuple[re.Pattern[str], Replace | str], ...] = (
    (re.compile(r"។ល។(?= *(?:\n|$))"), _ETC + "។"),
    (re.compile(r"។ល។|\u17d8"), _ETC),
    (_PHONE_AFTER_WORD, _phone_after_word),
    (_PHONE_SHAPE, _phone_shape),
    (_ISO_DATE, _date),
    (_DMY_DATE, _date),
    (_DM_DATE, _date),
    (_TIME, _time),
    (_DAY_MONTH, _day_month),
    (_MONTH, _month),
    (re.compile(r"(?<=[0-9%]) *[-–—] *(?=[0-9])"), " ដល់ "),
    (re.compile(r"(?<=[0-9]) */ *(?=[0-9])"), " លើ "),
    (_MONEY_FIRST, _money_first),
    (_QUANTITY, _quantity),
    (_LONE_CURRENCY, lambda m: CURRENCIES[m.group("cur")]),
    (re.compile(_NUM), lambda m: number_words(m.group(0))),
)
_SPACES = re.compile(r" {2,}")


def normalize_km(text: str, lexicon: Lexicon | None = None) -> str:
    """The reading of Khmer `text`: clean Unicode, no digits, sentence marks kept."""
    text = clean_khmer(text)
    if lexicon is not None:
        text = clean_khmer(lexicon.apply(text))
    text = _digits_to_ascii(text)
    for pattern, replace in _RULES:
        text = pattern.sub(replace, text)
    return _SPACES.sub(" ", text).strip()
