"""Splitting normalised text into segments with pauses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tts.frontend.split import (
    CLAUSE_PAUSE_MS,
    PARAGRAPH_PAUSE_MS,
    SENTENCE_PAUSE_MS,
    WORD_PAUSE_MS,
    Segment,
    split_text,
)


def test_sentences_and_paragraphs_vi() -> None:
    text = (
        "Ngày hai mươi tháng năm, xã họp. Có “hai” người (tham gia!) Hết giờ…\n"
        "Thông báo khẩn\n\n"
        "Đoạn hai? Vâng."
    )
    assert split_text(text, "vi") == [
        Segment("Ngày hai mươi tháng năm, xã họp.", SENTENCE_PAUSE_MS),
        Segment("Có “hai” người (tham gia!)", SENTENCE_PAUSE_MS),
        Segment("Hết giờ…", SENTENCE_PAUSE_MS),
        Segment("Thông báo khẩn", PARAGRAPH_PAUSE_MS),
        Segment("Đoạn hai?", SENTENCE_PAUSE_MS),
        Segment("Vâng.", 0),
    ]
    assert PARAGRAPH_PAUSE_MS > SENTENCE_PAUSE_MS > CLAUSE_PAUSE_MS > WORD_PAUSE_MS


def test_a_full_stop_inside_a_token_does_not_end_a_sentence() -> None:
    assert split_text("Xem angiang.gov.vn nhé. Xong.", "vi") == [
        Segment("Xem angiang.gov.vn nhé.", SENTENCE_PAUSE_MS),
        Segment("Xong.", 0),
    ]


def test_sentences_km() -> None:
    text = "ខ្ញុំ▁ទៅ▁ផ្សារ។គាត់▁នៅ▁ផ្ទះ៕ តើ▁អ្នក▁ទៅ▁ណា?\n\nចប់។"
    assert split_text(text, "km") == [
        Segment("ខ្ញុំ▁ទៅ▁ផ្សារ។", SENTENCE_PAUSE_MS),
        Segment("គាត់▁នៅ▁ផ្ទះ៕", SENTENCE_PAUSE_MS),
        Segment("តើ▁អ្នក▁ទៅ▁ណា?", PARAGRAPH_PAUSE_MS),
        Segment("ចប់។", 0),
    ]


def test_long_sentence_splits_at_commas_then_spaces() -> None:
    text = "một hai ba bốn, năm sáu bảy tám, chín mười mười một mười hai mười ba mười bốn."
    assert split_text(text, "vi", max_chars=20) == [
        Segment("một hai ba bốn,", CLAUSE_PAUSE_MS),
        Segment("năm sáu bảy tám,", CLAUSE_PAUSE_MS),
        Segment("chín mười mười một", WORD_PAUSE_MS),
        Segment("mười hai mười ba", WORD_PAUSE_MS),
        Segment("mười bốn.", 0),
    ]


def test_commas_are_packed_up_to_the_limit() -> None:
    text = "a, b, c, d, e, f. Xong."
    assert split_text(text, "vi", max_chars=9) == [
        Segment("a, b, c,", CLAUSE_PAUSE_MS),
        Segment("d, e, f.", SENTENCE_PAUSE_MS),
        Segment("Xong.", 0),
    ]


def test_km_splits_at_word_marks_then_hard() -> None:
    words = "ក្រុម▁ប្រឹក្សា▁ឃុំ▁ប្រកាស▁ព័ត៌មាន។"
    assert split_text(words, "km", max_chars=14) == [
        Segment("ក្រុម▁ប្រឹក្សា", WORD_PAUSE_MS),
        Segment("ឃុំ▁ប្រកាស", WORD_PAUSE_MS),
        Segment("ព័ត៌មាន។", 0),
    ]
    zero_width = "ក្រុម\u200bប្រឹក្សា\u200bឃុំ។"
    assert [s.text for s in split_text(zero_width, "km", max_chars=10)] == [
        "ក្រុម",
        "ប្រឹក្សា",
        "ឃុំ។",
    ]
    # No word marks at all: cut, but never between a consonant and its signs or a coeng pair.
    run = "ប្រឹក្សា" * 3
    pieces = [s.text for s in split_text(run, "km", max_chars=5)]
    assert "".join(pieces) == run
    assert all(len(p) <= 5 for p in pieces)
    for piece in pieces[1:]:
        assert piece[0] not in "\u17d2\u17b6\u17b7\u17b8\u17b9\u17c1\u17ca\u17cb\u17d0"
    for piece in pieces:
        assert not piece.endswith("\u17d2")


def test_no_empty_segments_and_the_last_pause_is_zero() -> None:
    assert split_text("", "vi") == []
    assert split_text("  \n\n  ", "vi") == []
    assert split_text("... !\n\n?", "vi") == []
    assert split_text("Một. ... Hai.", "vi") == [
        Segment("Một.", SENTENCE_PAUSE_MS),
        Segment("Hai.", 0),
    ]
    # Stray punctuation at a paragraph end passes its longer pause to the sentence before it.
    assert split_text("Một.\n\n…\n\nHai", "vi") == [
        Segment("Một.", PARAGRAPH_PAUSE_MS),
        Segment("Hai", 0),
    ]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="Ngôn ngữ không được hỗ trợ"):
        split_text("Hello.", "en")
    with pytest.raises(ValueError, match="max_chars"):
        split_text("Một.", "vi", max_chars=0)


_WORDS = st.sampled_from(["xã", "họp", "ủy ban", "người", "hai mươi", "Khmer", "a"])
_MARKS = st.sampled_from([" ", " ", ", ", ". ", "! ", "? ", "… ", "\n", "\n\n", "; "])


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.tuples(_WORDS, _MARKS), min_size=1, max_size=80),
    max_chars=st.integers(min_value=3, max_value=120),
)
def test_split_keeps_every_word_within_the_limit(
    parts: list[tuple[str, str]], max_chars: int
) -> None:
    text = "".join(word + mark for word, mark in parts)
    segments = split_text(text, "vi", max_chars=max_chars)
    assert segments
    assert all(s.text and s.text == s.text.strip() for s in segments)
    assert all(len(s.text) <= max_chars for s in segments)
    assert segments[-1].pause_after_ms == 0
    assert all(s.pause_after_ms > 0 for s in segments[:-1] if s.text[-1] in ".!?…")

    def letters(value: str) -> str:
        return "".join(c for c in value if c.isalnum())

    assert letters("".join(s.text for s in segments)) == letters(text)
