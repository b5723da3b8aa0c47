"""How a typed place name becomes a lookup key.

People type without accents, in capitals, with stray punctuation, invisible marks pasted from
other apps, or in their own script.  Both the gazetteer's names and what a person types go
through `normalise`, so the two meet: accents and case are dropped, punctuation becomes a space,
and every script is otherwise kept as it is (Cyrillic, Arabic, Chinese are not transliterated;
traditional Chinese characters are written in their simplified form).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

# Letters that carry their "accent" inside the letter, so NFKD cannot split it off;
# typed on a keyboard without them, people write the plain letter.
_FOLD = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ŀ": "l",
        "ŉ": "n",
        "ĸ": "k",
        "ſ": "s",
        "ʻ": "",
        "ʼ": "",
        "'": "",
        "’": "",
        "`": "",
        "´": "",
        # Arabic tatweel only stretches a word on screen; the other Arabic-script pairs
        # are letters that people and keyboards (Arabic, Persian, Urdu) use for each other.
        "\u0640": "",
        "ى": "ي",
        "ی": "ي",
        "ة": "ه",
        "ک": "ك",
    }
)

# ASCII punctuation, symbols and control characters become spaces; apostrophes vanish
# ("L'Aquila" and "LAquila" meet), as they do in `_FOLD` for the non-ASCII path.
_ASCII_FOLD = str.maketrans(
    {
        **{chr(c): " " for c in range(128) if not chr(c).isalnum()},
        "'": "",
        "`": "",
    }
)

# Invisible format marks (RLM, ZWJ, BOM) and the like, pasted along with text but not part
# of a name.
_DROPPED_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cs", "Cn"})

# Accents that people leave out when typing: the combining diacritics used by Latin, Greek
# and Cyrillic letters (NFKD splits "é" into "e" + U+0301), Hebrew points and Arabic
# short-vowel marks.  Other combining marks are kept: in Thai or Devanagari they are vowels
# and parts of letters, not optional accents.
_ACCENT_RANGES = (
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0591, 0x05C7),
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06ED),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)


def _is_accent(ordinal: int) -> bool:
    return any(low <= ordinal <= high for low, high in _ACCENT_RANGES)


class _CharFold(dict[int, str | None]):
    """str.translate table filled on first sight of each character: drop, space, or keep."""

    def __missing__(self, ordinal: int) -> str | None:
        char = chr(ordinal)
        category = unicodedata.category(char)
        value: str | None
        if category in _DROPPED_CATEGORIES or (category[0] == "M" and _is_accent(ordinal)):
            value = None
        elif category[0] in "PSZ":
            value = " "
        elif _is_han(ordinal):
            value = _simplified(char)
        else:
            value = char
        self[ordinal] = value
        return value


# Chinese characters: CJK Unified Ideographs, Extension A and the compatibility block.
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def _is_han(ordinal: int) -> bool:
    return any(low <= ordinal <= high for low, high in _HAN_RANGES)


@lru_cache(maxsize=1)
def _to_simplified() -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC("t2s").convert


def _simplified(char: str) -> str:
    """A traditional Chinese character as its simplified form (維 → 维), others unchanged.

    GeoNames often has only one of the two spellings of a city (維也納, not 维也纳), and a
    reader types the one their phone writes: both meet on the simplified form.
    """
    simplified = _to_simplified()(char)
    return simplified if len(simplified) == 1 else char


_CHARS = _CharFold()

# Far longer than any real place name; bounds the work one message can cause.
MAX_INPUT_CHARS = 200
MAX_KEY_CHARS = 64


def normalise(text: str) -> str:
    """The lookup key for a name: NFKD, marks stripped, case-folded, punctuation as spaces."""
    if not isinstance(text, str):
        return ""
    text = text[:MAX_INPUT_CHARS]
    if text.isascii():
        # Most names and most typing are plain ASCII: the same result, much faster.
        folded = text.lower().translate(_ASCII_FOLD)
        return " ".join(folded.split())[:MAX_KEY_CHARS].strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    stripped = decomposed.translate(_CHARS)
    # NFC puts Hangul syllables (decomposed by NFKD into jamo) back together.
    folded = unicodedata.normalize("NFC", stripped).casefold().translate(_FOLD)
    return " ".join(folded.split())[:MAX_KEY_CHARS].strip()


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of two letters is one edit), capped at limit+1.

    Only a band of width 2*limit+1 is computed and the loop stops once every cell of a row
    exceeds the limit, which keeps hundreds of comparisons per search cheap in pure Python.
    """
    over = limit + 1
    if abs(len(a) - len(b)) > limit:
        return over
    if a == b:
        return 0
    # Shared starts and ends cost nothing; most candidates differ in a few letters only.
    shortest = min(len(a), len(b))
    start = 0
    while start < shortest and a[start] == b[start]:
        start += 1
    end = 0
    while end < shortest - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start : len(a) - end], b[start : len(b) - end]
    la, lb = len(a), len(b)
    if not la or not lb:
        return min(max(la, lb), over)
    previous2: list[int] = []
    previous = list(range(lb + 1))
    for i in range(1, la + 1):
        current = [over] * (lb + 1)
        current[0] = i
        char = a[i - 1]
        low, high = max(1, i - limit), min(lb, i + limit)
        best = current[0] if low == 1 else over
        for j in range(low, high + 1):
            value = previous[j - 1] + (char != b[j - 1])
            if previous[j] + 1 < value:
                value = previous[j] + 1
            if current[j - 1] + 1 < value:
                value = current[j - 1] + 1
            if (
                i > 1
                and j > 1
                and char == b[j - 2]
                and a[i - 2] == b[j - 1]
                and previous2[j - 2] + 1 < value
            ):
                value = previous2[j - 2] + 1
            current[j] = value
            if value < best:
                best = value
        if best > limit:
            return over
        previous2, previous = previous, current
    return min(previous[lb], over)


def trigrams(key: str) -> frozenset[str]:
    """Padded character trigrams, so the start and end of a name count (as in pg_trgm)."""
    padded = f"  {key} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """Trigram Jaccard similarity in [0, 1]."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)
