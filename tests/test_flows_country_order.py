"""Country lists follow the reader's alphabet, not the order of Unicode code points."""

from __future__ import annotations

from bot.flows.country import alphabetical


def test_vietnamese_puts_d_with_stroke_after_d_not_after_z() -> None:
    assert alphabetical(["Đức", "Việt Nam", "Ba Lan", "Áo", "Hoa Kỳ"]) == [
        "Áo", "Ba Lan", "Đức", "Hoa Kỳ", "Việt Nam",
    ]  # fmt: skip


def test_thai_sorts_a_leading_vowel_under_its_consonant() -> None:
    # เยอรมนี (Germany) is written vowel-first but sorts under ย, before ส (สเปน, Spain).
    assert alphabetical(["สเปน", "เยอรมนี", "ญี่ปุ่น"]) == ["ญี่ปุ่น", "เยอรมนี", "สเปน"]


def test_accented_initials_sort_with_their_letter() -> None:
    assert alphabetical(["Polen", "Österreich", "Zypern", "Ägypten"]) == [
        "Ägypten", "Österreich", "Polen", "Zypern",
    ]  # fmt: skip
