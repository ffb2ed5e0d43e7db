"""What our Vietnamese rules say for each match: quantities, dates, times, phones, documents.

Each reader takes the rule's match (see vi_rules for the patterns and their group names) and
returns the spoken words, or None to leave the text for a later rule.
"""

from __future__ import annotations

import re

from tts.frontend import vi_abbrev as ab
from tts.frontend import vi_numbers as nu
from tts.frontend.vi_numbers import Region

# Superscripts ("m²") arrive as plain digits ("m2"): normalize_vi folds them first.
UNITS: dict[str, str] = {
    "%": "phần trăm",
    "ha": "héc ta",
    "km": "ki lô mét",
    "Km": "ki lô mét",
    "KM": "ki lô mét",
    "km2": "ki lô mét vuông",
    "m": "mét",
    "m2": "mét vuông",
    "m3": "mét khối",
    "cm": "xăng ti mét",
    "mm": "mi li mét",
    "tấn": "tấn",
    "tạ": "tạ",
    "lít": "lít",
    "kg": "ki lô gam",
    "Kg": "ki lô gam",
    "KG": "ki lô gam",
    "g": "gam",
    "mg": "mi li gam",
    "l": "lít",
    "ml": "mi li lít",
    "°C": "độ xê",
    "° C": "độ xê",
    "oC": "độ xê",
    "độ C": "độ xê",
    "°": "độ",
    "kW": "ki lô oát",
    "kWh": "ki lô oát giờ",
    "MW": "mê ga oát",
    "h": "giờ",
    "đ": "đồng",
    "đồng": "đồng",
    "VNĐ": "đồng",
    "VND": "đồng",
    "vnđ": "đồng",
    "USD": "đô la Mỹ",
}
_PER_WORDS = ("tháng", "năm", "ngày", "tuần", "giờ", "người", "hộ", "con", "lượt", "sào", "công")
PER: dict[str, str] = {
    **{u: r for u, r in UNITS.items() if u not in ("%", "đ", "đồng", "VNĐ", "VND", "vnđ", "USD")},
    "s": "giây",
    **{w: w for w in _PER_WORDS},
}
# Units that also appear without a number: "giá mỗi m2", "năng suất mỗi ha".
PER_ALONE = ("ha", "m2", "m3", "km", "km2", "kg")
MULTIPLIERS = ("nghìn tỷ", "nghìn", "ngàn", "triệu", "tỷ", "tỉ")


def _quantity_tail(m: re.Match[str]) -> str:
    words = []
    if m.group("mult"):
        words.append(m.group("mult"))
    if m.group("unit"):
        words.append(UNITS[m.group("unit")])
        for per in filter(None, m.group("per").split("/")):
            words.append(f"một {PER[per]}")
    return "".join(f" {w}" for w in words)


def read_quantity(m: re.Match[str], region: Region) -> str:
    return nu.number(m.group("num"), region) + _quantity_tail(m)


def _is_date(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


def _day_month(day: str, month: str, region: Region) -> str:
    return f"{nu.cardinal(int(day), region)} tháng {nu.month(int(month))}"


def _year(year: str, region: Region) -> str:
    return f"năm {nu.cardinal(int(year), region)}"


def read_range(m: re.Match[str], region: Region) -> str | None:
    a, b = m.group("a"), m.group("b")
    if a.isdigit() and b.isdigit() and int(a) >= int(b):
        if not m.group("unit") and not m.group("mult") and _is_date(int(a), int(b)):
            return f"ngày {_day_month(a, b, region)}"  # "(20-5)": the usual bulletin date
        return None
    return f"{nu.number(a, region)} đến {nu.number(b, region)}{_quantity_tail(m)}"


def read_dmy(m: re.Match[str], region: Region) -> str | None:
    d, mo, y, sep = m.group("d"), m.group("m"), m.group("y"), m.group("sep")
    if not _is_date(int(d), int(mo)) or (sep != "/" and len(y) != 4):
        return None
    prefix = m.group("pre") or "ngày "
    return f"{prefix}{_day_month(d, mo, region)} {_year(y, region)}"


def read_day_range(m: re.Match[str], region: Region) -> str | None:
    a, b, mo, y = m.group("a"), m.group("b"), m.group("m"), m.group("y")
    if not (_is_date(int(a), int(mo)) and _is_date(int(b), int(mo)) and int(a) < int(b)):
        return None
    out = f"{nu.cardinal(int(a), region)} đến {_day_month(b, mo, region)}"
    return out + (f" {_year(y, region)}" if y else "")


def read_date_range(m: re.Match[str], region: Region) -> str | None:
    d1, m1, d2, m2, y = (m.group(k) for k in ("d1", "m1", "d2", "m2", "y"))
    if not (_is_date(int(d1), int(m1)) and _is_date(int(d2), int(m2))):
        return None
    prefix = m.group("pre") or "ngày "
    out = f"{prefix}{_day_month(d1, m1, region)} đến ngày {_day_month(d2, m2, region)}"
    return out + (f" {_year(y, region)}" if y else "")


def read_dated_by_word(m: re.Match[str], region: Region) -> str | None:
    d, mo, y = m.group("d"), m.group("m"), m.group("y")
    if not _is_date(int(d), int(mo)):
        return None
    out = f"{m.group('pre')}{_day_month(d, mo, region)}"
    return out + (f" {_year(y, region)}" if y else "")


def read_month_year(m: re.Match[str], region: Region) -> str | None:
    pre, value, y = m.group("pre") or "", m.group("m"), m.group("y")
    if pre.lower().startswith("quý"):
        n = nu.roman_value(value) if not value.isdigit() else int(value)
        if n is None or not 1 <= n <= 4:
            return None
        return f"{pre}{nu.cardinal(n, region)} {_year(y, region)}"
    if not value.isdigit() or not 1 <= int(value) <= 12:
        return None
    if not pre and m.group("sep") != "/":
        return None
    return f"{pre or 'tháng '}{nu.month(int(value))} {_year(y, region)}"


def read_fraction(m: re.Match[str], region: Region) -> str:
    denominator = "tư" if m.group("b") == "4" else nu.cardinal(int(m.group("b")), region)
    return f"{m.group('w')}{nu.cardinal(int(m.group('a')), region)} phần {denominator}"


def read_day_month_slash(m: re.Match[str], region: Region) -> str | None:
    d, mo = m.group("d"), m.group("m")
    if not _is_date(int(d), int(mo)):
        return None
    return f"{m.group('pre') or 'ngày '}{_day_month(d, mo, region)}"


def _clock(h: str, mi: str | None, s: str | None, region: Region) -> str | None:
    if int(h) > 24:
        return None
    out = f"{nu.cardinal(int(h), region)} giờ"
    if mi and int(mi):
        out += f" {nu.cardinal(int(mi), region)} phút"
    if s and int(s):
        out += f" {nu.cardinal(int(s), region)} giây"
    return out


def _time_of(m: re.Match[str], p: str, region: Region) -> str | None:
    minutes = m.group(f"{p}m") or m.group(f"{p}hm") or m.group(f"{p}gm")
    return _clock(m.group(f"{p}h"), minutes, m.group(f"{p}s"), region)


def read_time(m: re.Match[str], region: Region) -> str | None:
    return _time_of(m, "t", region)


def read_time_range(m: re.Match[str], region: Region) -> str | None:
    a, b = _time_of(m, "a", region), _time_of(m, "b", region)
    return f"{a} đến {b}" if a and b else None


def _phone_groups(number: str) -> list[str]:
    groups = [g for g in re.split(r"[\s.\-()]+", number) if g]
    if len(groups) == 1 and groups[0].isdigit() and len(groups[0]) in (10, 11):
        g = groups[0]
        return [g[:4], g[4:-3], g[-3:]]
    return groups


def read_phone(m: re.Match[str], region: Region) -> str | None:
    number = m.group("p")
    count = sum(c.isdigit() for c in number)
    if number.startswith("+84"):
        if count not in (11, 12):
            return None
        rest = number[3:]
        return ", ".join(["cộng tám bốn", *(nu.digits(g) for g in _phone_groups(rest))])
    if count not in ((8, 9, 10) if number.startswith("1") else (10, 11)):
        return None
    return (m.groupdict().get("w") or "") + ", ".join(nu.digits(g) for g in _phone_groups(number))


def read_phone_after_word(m: re.Match[str], region: Region) -> str:
    word = m.group("w")
    for short in ("SĐT", "ĐT"):
        word = re.sub(rf"\b{short}\b", ab.ABBREVIATIONS[short], word)
    return word + ", ".join(nu.digits(g) for g in _phone_groups(m.group("p")))


def read_document(m: re.Match[str], region: Region) -> str:
    out = nu.cardinal(int(m.group("n")), region)
    year = m.groupdict().get("y")
    if year:
        out += f" {_year(year, region)}"
    # A bare "100/TB" names only the kind of document; the issuer follows a dash or a year.
    has_issuer = year or re.search(r"[-/]", m.group("code"))
    # "45/KH-UBND ngày 10/3/2025 của UBND huyện" names its issuer itself.
    named_after = re.match(r"\s*,?\s*(?:ngày\s+[\d/.-]+\s*,?\s*)?của\b", m.string[m.end() :])
    if has_issuer and not named_after:
        out += f" của {ab.issuer(m.group('code'))}"
    return out


def read_road(m: re.Match[str], region: Region) -> str:
    out = f"{ab.ROADS[m.group('k')]} {nu.cardinal(int(m.group('n')), region)}"
    return out + (f" {ab.spell(m.group('s'))}" if m.group("s") else "")


def read_ordinal(m: re.Match[str], region: Region) -> str | None:
    value = m.group("n")
    n = int(value) if value.isdigit() else nu.roman_value(value)
    return None if n is None else f"{m.group('w')}{nu.ordinal(n, region)}"


def read_roman(m: re.Match[str], region: Region) -> str | None:
    n = nu.roman_value(m.group("r"))
    return None if n is None else f"{m.group('w')}{nu.cardinal(n, region)}"


def read_abbreviation(m: re.Match[str], region: Region) -> str:
    return ab.ABBREVIATIONS[m.group(0)]
