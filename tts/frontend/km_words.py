"""What follows a number in a Khmer bulletin, and how a voice should say it.

Keys are as written (Khmer abbreviations such as គ.ក, Latin units, Vietnamese currency marks);
values are the Khmer words. A "/" after an amount reads as "per one" (ក្នុងមួយ).
"""

from __future__ import annotations

__all__ = ["CURRENCIES", "PER", "SUFFIXES"]


def _spellings(table: dict[str, str]) -> dict[str, str]:
    """Each key also in capitals and capitalised ("KG", "Kg"); single letters stay as they are
    ("M" is not a metre)."""
    out = dict(table)
    for key, value in table.items():
        if len(key) > 1 and key.isascii() and key.isalpha():
            out.setdefault(key.upper(), value)
            out.setdefault(key.capitalize(), value)
    return out


# Word forms of what follows a number, keyed by how it is written.
RIEL, DONG, DOLLAR = "រៀល", "ដុង", "ដុល្លារ"
CURRENCIES = {
    "៛": RIEL,
    "រៀល": RIEL,
    "KHR": RIEL,
    "VNĐ": DONG,
    "VND": DONG,
    "vnđ": DONG,
    "đồng": DONG,
    "đ": DONG,
    "ដុង": DONG,
    "$": DOLLAR,
    "USD": DOLLAR,
    "ដុល្លារ": DOLLAR,
}
UNITS = {
    "%": "ភាគរយ",
    "kg": "គីឡូក្រាម",
    "គ.ក្រ": "គីឡូក្រាម",
    "គ.ក": "គីឡូក្រាម",
    "km/h": "គីឡូម៉ែត្រ ក្នុងមួយម៉ោង",
    "km²": "គីឡូម៉ែត្រការ៉េ",
    "km2": "គីឡូម៉ែត្រការ៉េ",
    "km": "គីឡូម៉ែត្រ",
    "គ.ម": "គីឡូម៉ែត្រ",
    "m²": "ម៉ែត្រការ៉េ",
    "m2": "ម៉ែត្រការ៉េ",
    "m³": "ម៉ែត្រគូប",
    "m3": "ម៉ែត្រគូប",
    "cm": "សង់ទីម៉ែត្រ",
    "ស.ម": "សង់ទីម៉ែត្រ",
    "mm": "មីលីម៉ែត្រ",
    "ម.ម": "មីលីម៉ែត្រ",
    "m": "ម៉ែត្រ",
    "ha": "ហិកតា",
    "ហ.ត": "ហិកតា",
    "°C": "អង្សាសេ",
    "ºC": "អង្សាសេ",
    "tấn": "តោន",
}
SUFFIXES = _spellings(CURRENCIES | UNITS)
# "/" after an amount: per one of these ("ដុង/គ.ក" -> "ដុង ក្នុងមួយគីឡូក្រាម").
PER = _spellings(
    {
        **{k: v for k, v in UNITS.items() if k not in ("%", "km/h")},
        "គីឡូក្រាម": "គីឡូក្រាម",
        "គីឡូ": "គីឡូក្រាម",
        "h": "ម៉ោង",
        "ម៉ោង": "ម៉ោង",
        "ថ្ងៃ": "ថ្ងៃ",
        "ខែ": "ខែ",
        "ឆ្នាំ": "ឆ្នាំ",
    }
)
