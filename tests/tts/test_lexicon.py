"""The pronunciation lexicon: whole words, longest first, before the normaliser, fingerprinted."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from tts.frontend import Lexicon, normalize
from tts.frontend.vi import normalize_vi

KHMER_NAMES = {
    "Chau Sóc": "Châu Sóc",
    "Chôl Chnăm Thmây": "Chôn Chơ Năm Thơ Mây",
    "Ok Om Bok": "Óc Om Bóc",
    "Sene Dolta": "Sen Đôn Ta",
    "Kh'mer": "Khơ me",
}


def test_khmer_names_in_vietnamese_text() -> None:
    lexicon = Lexicon(KHMER_NAMES)
    text = (
        "Ngày 14-4, ông Chau Sóc dự Tết Chôl Chnăm Thmây của đồng bào Kh'mer. "
        "Lễ Ok Om Bok và Sene Dolta cũng được tổ chức."
    )
    assert normalize_vi(text, "south", lexicon) == (
        "Ngày mười bốn tháng tư, ông Châu Sóc dự Tết Chôn Chơ Năm Thơ Mây của đồng bào Khơ me. "
        "Lễ Óc Om Bóc và Sen Đôn Ta cũng được tổ chức."
    )


def test_applied_before_the_normaliser() -> None:
    # The lexicon's reading wins over the built-in abbreviation table...
    lexicon = Lexicon({"HTX": "hợp tác xã nông nghiệp"})
    assert normalize_vi("Có 25 HTX.", lexicon=lexicon) == (
        "Có hai mươi lăm hợp tác xã nông nghiệp."
    )
    # ...and a reading that still holds numbers is normalised afterwards.
    lexicon = Lexicon({"Kênh Bảy": "kênh 7"})
    assert normalize_vi("Sạt lở ở Kênh Bảy.", lexicon=lexicon) == "Sạt lở ở kênh bảy."


def test_the_dispatcher_passes_the_lexicon() -> None:
    lexicon = Lexicon({"Tri Tôn": "Tri Tôn", "Sóc Trăng": "Sóc Trăng"})
    out = normalize("Huyện TRI TÔN và tỉnh sóc trăng.", "vi", "south", lexicon)
    assert out.text == "Huyện Tri Tôn và tỉnh Sóc Trăng."


def test_whole_words_longest_first_single_pass() -> None:
    lexicon = Lexicon({"Tri": "Chi", "Tri Tôn": "Tri Tôn", "A": "B", "B": "C"})
    assert lexicon.apply("Tri Tôn, Tri, Trinh, Tri Tônx") == "Tri Tôn, Chi, Trinh, Chi Tônx"
    assert lexicon.apply("A B") == "B C"  # a reading is never matched again
    assert lexicon.apply("huyện Tri   Tôn") == "huyện Tri Tôn"


def test_acronyms_are_case_sensitive_words_are_not() -> None:
    lexicon = Lexicon({"HTX": "hợp tác xã", "sóc trăng": "Sóc Trăng"})
    assert lexicon.apply("HTX htx Htx") == "hợp tác xã htx Htx"
    assert lexicon.apply("SÓC TRĂNG, Sóc Trăng, sóc trăng") == "Sóc Trăng, Sóc Trăng, Sóc Trăng"


def test_khmer_terms_match_inside_unspaced_text() -> None:
    lexicon = Lexicon({"ភ្នំពេញ": "ភ្នំ▁ពេញ"})
    assert lexicon.apply("ខ្ញុំទៅភ្នំពេញ។") == "ខ្ញុំទៅភ្នំ▁ពេញ។"


def test_decomposed_input_matches_composed_terms() -> None:
    decomposed = "So\u0301c Tra\u0306ng"  # "Sóc Trăng" typed with combining marks
    assert Lexicon({"Sóc Trăng": "Sóc Trăng"}).apply(f"tỉnh {decomposed}") == "tỉnh Sóc Trăng"


def test_fingerprint_follows_the_entries_not_their_order() -> None:
    a = Lexicon({"Tri Tôn": "Tri Tôn", "HTX": "hợp tác xã"})
    b = Lexicon([("HTX", "hợp tác xã"), ("Tri Tôn", "Tri Tôn")])
    assert a == b
    assert hash(a) == hash(b)
    assert a.fingerprint() == b.fingerprint()
    assert len(a.fingerprint()) == 64
    changed = Lexicon({"Tri Tôn": "Tri Tôn", "HTX": "hợp tác xã nông nghiệp"})
    added = Lexicon({"Tri Tôn": "Tri Tôn", "HTX": "hợp tác xã", "NTM": "nông thôn mới"})
    fingerprints = {a.fingerprint(), changed.fingerprint(), added.fingerprint()}
    assert len(fingerprints) == 3
    assert Lexicon().fingerprint() not in fingerprints


def test_fingerprint_is_stable_across_processes() -> None:
    code = (
        "from tts.frontend.lexicon import Lexicon;"
        "print(Lexicon({'HTX': 'hợp tác xã', 'Chau Sóc': 'Châu Sóc'}).fingerprint())"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    here = Lexicon({"Chau Sóc": "Châu Sóc", "HTX": "hợp tác xã"}).fingerprint()
    assert other.stdout.strip() == here


def test_value_object() -> None:
    lexicon = Lexicon({"HTX": "hợp tác xã"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        lexicon.entries = ()  # type: ignore[misc]
    assert lexicon.entries == (("HTX", "hợp tác xã"),)
    assert lexicon.as_dict() == {"HTX": "hợp tác xã"}
    assert len(lexicon) == 1
    assert lexicon.reading("HTX") == "hợp tác xã"
    assert lexicon.reading("htx") is None
    assert Lexicon().apply("HTX") == "HTX"


@pytest.mark.parametrize(
    "entries",
    [
        {"": "trống"},
        {"HTX": "  "},
        {"Tri Tôn": "Tri Tôn", "tri tôn": "Tri Tôn"},
    ],
)
def test_bad_entries_are_refused(entries: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="Từ điển phát âm"):
        Lexicon(entries)
