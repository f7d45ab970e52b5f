"""Persian text normalisation: one place for storage keys, search and sorting.

Text typed by people arrives with Arabic ي/ك instead of Persian ی/ک, with the zero-width
non-joiner (ZWNJ) present, missing or replaced by a space, with Persian, Arabic-Indic and
Latin digits mixed, with diacritics and with tatweel. ``normalize`` makes one canonical
form for display and storage; ``search_key`` makes a form in which every way of typing the
same name compares equal; ``sort_key`` makes a byte-orderable key that sorts in the Persian
alphabet on any database (a plain C or UTF-8 byte order puts پ چ ژ گ after ی).

Written by hand rather than taken from hazm or parsivar: those pull in NLP dependencies
(nltk, models) for a few dozen character mappings that must also stay identical between
the database keys and the query side.
"""

from __future__ import annotations

import re
import unicodedata

ZWNJ = "\u200c"

# Characters folded to their Persian form.
_CHAR_MAP = {
    "ي": "ی",  # Arabic yeh
    "ى": "ی",  # alef maksura
    "ك": "ک",  # Arabic kaf
    "ـ": "",  # tatweel
    "\u200d": "",  # zero-width joiner
    "\ufeff": "",  # BOM
    # Look-alikes typed on Urdu, Kurdish, Pashto or Sindhi layouts: other letters that
    # read as the Persian ones in a Persian name.
    "ہ": "ه",  # U+06C1 heh goal (Urdu)
    "ھ": "ه",  # U+06BE heh doachashmee (Urdu)
    "ە": "ه",  # U+06D5 ae (Kurdish)
    "ۂ": "ۀ",  # U+06C2 heh goal with hamza above (Urdu ezafe)
    "ۍ": "ی",  # U+06CD yeh with tail (Pashto)
    "ې": "ی",  # U+06D0 yeh with two dots below (Pashto, Uyghur)
    "ڪ": "ک",  # U+06AA swash kaf (Sindhi)
}
# Bidirectional controls: embeddings, overrides and isolates (U+202A–U+202E,
# U+2066–U+2069) and the marks LRM, RLM and ALM. In a stored name they let «ABC» show as
# «CBA»; the page sets the direction, the name carries none. (Output may still wrap a
# value in an isolate for display, as accounts.models.User.display_name does.)
for _cp in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]:
    _CHAR_MAP[chr(_cp)] = ""
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_LATIN_DIGITS = "0123456789"
for _fa, _ar, _la in zip(_PERSIAN_DIGITS, _ARABIC_DIGITS, _LATIN_DIGITS, strict=True):
    _CHAR_MAP[_fa] = _la
    _CHAR_MAP[_ar] = _la
_TRANSLATE = str.maketrans(_CHAR_MAP)
# Further folding for search only: spellings people use interchangeably in names.
_SEARCH_FOLD = str.maketrans(
    {
        "ئ": "ی",  # پائیز / پاییز
        "ة": "ه",
        "ۀ": "ه",
        "ؤ": "و",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "آ": "ا",  # آ typed as ا
    }
)
_TO_PERSIAN_DIGITS = str.maketrans(_LATIN_DIGITS + _ARABIC_DIGITS, _PERSIAN_DIGITS * 2)
_TO_LATIN_DIGITS = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS, _LATIN_DIGITS * 2)
# Arabic presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF): the contextual shapes that
# text copied out of a PDF keeps. Only these ranges get NFKC; applied to everything,
# NFKC would also rewrite Latin ligatures, superscripts and fullwidth digits.
_PRESENTATION_FORMS = re.compile(r"[\ufb50-\ufdff\ufe70-\ufefe]+")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f]+")
_ZWNJ_RUN = re.compile(r"\s*\u200c[\s\u200c]*")


# The characters Persian text is made of (Latin, Arabic and Persian letters and digits,
# spaces, ZWNJ, punctuation, presentation forms), without any combining mark among them
# (filtered by ``unicodedata`` itself): a text of these alone has no mark to drop.
_UNMARKED_CHARS = "".join(
    re.escape(chr(cp))
    for start, end in ((0x20, 0x2FF), (0x600, 0x6FF), (0x2000, 0x206F), (0xFB50, 0xFEFF))
    for cp in range(start, end + 1)
    if not unicodedata.combining(chr(cp))
)
_UNMARKED = re.compile(f"[{_UNMARKED_CHARS}]*")


def _strip_marks(text: str) -> str:
    """Drop combining marks (Arabic diacritics: fatha, kasra, tashdid, …)."""
    if _UNMARKED.fullmatch(text):  # the usual text: nothing to drop, no scan per character
        return text
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def to_latin_digits(text: str) -> str:
    """Persian and Arabic-Indic digits → Latin digits; everything else unchanged."""
    return text.translate(_TO_LATIN_DIGITS)


def to_persian_digits(text: str) -> str:
    """Latin and Arabic-Indic digits → Persian digits (for display)."""
    return text.translate(_TO_PERSIAN_DIGITS)


# The characters that ``normalize`` keeps as they are wherever they stand: no mark, no
# presentation form, nothing it folds or drops, no space but the plain one, no ZWNJ, and
# unchanged by NFC on their own (a text of them holds no mark, so NFC composes nothing).
_KEPT_CHARS = "".join(
    re.escape(chr(cp))
    for start, end in ((0x21, 0x2FF), (0x600, 0x6FF), (0x2010, 0x2027), (0x2030, 0x205E))
    for cp in range(start, end + 1)
    if not unicodedata.combining(chr(cp))
    and not chr(cp).isspace()
    and chr(cp) not in _CHAR_MAP
    and unicodedata.normalize("NFC", chr(cp)) == chr(cp)
)
# A text already in the canonical form: runs of kept characters, each joined to the next by
# one space or one ZWNJ (most cells of a spreadsheet and every stored name).
_CANONICAL = re.compile(f"[{_KEPT_CHARS}]+(?:[ {ZWNJ}][{_KEPT_CHARS}]+)*")


def normalize(text: str | None) -> str:
    """The canonical display/storage form: Persian letters, Latin digits, one ZWNJ
    between joined parts, single spaces, no diacritics or tatweel, trimmed."""
    if not text:
        return ""
    if _CANONICAL.fullmatch(text):
        # Nothing to change: one scan instead of six (a bulk import normalises every cell
        # of a hundred thousand rows, then each name again for its search and sort keys).
        return text
    return _normalize(text)


def _normalize(text: str) -> str:
    """``normalize`` step by step (for a text that is not canonical already)."""
    text = _PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = unicodedata.normalize("NFC", text)
    text = _strip_marks(text).translate(_TRANSLATE)
    text = _ZWNJ_RUN.sub(ZWNJ, text)
    text = _SPACES.sub(" ", text).strip(" " + ZWNJ)
    return text


def search_key(text: str | None) -> str:
    """A form in which every way of typing the same words is equal: normalised, lower
    case, and with spaces and ZWNJ removed (so «کارخانه‌ها», «کارخانه ها» and
    «کارخانهها» are one key). Used both for the stored column and for the query."""
    folded = normalize(text).lower().translate(_SEARCH_FOLD)
    return folded.replace(ZWNJ, "").replace(" ", "")


def search_terms(query: str | None) -> list[str]:
    """Split a query into the keys that must all be found (word order free).

    Each whitespace-separated word is one term; a word the user split with a space
    still matches a stored name without one, because stored keys have no spaces. A NUL
    (never in a stored key, and refused by PostgreSQL in a query) is dropped."""
    words = normalize(query).replace("\x00", "").lower().replace(ZWNJ, " ").split()
    return [key for key in (search_key(w) for w in words) if key]


# Persian alphabetical order. Letters not listed keep their place after these.
_ALPHABET = "آاءبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
# Letters that sort as the letter they are written on (a dictionary puts «پائیز» beside
# «پاییز», not after every word in ی).
_SORT_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "ٱ": "ا", "ئ": "ی", "ؤ": "و", "ۀ": "ه", "ة": "ه", "ٔ": ""}
)
_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _code(rank: int) -> str:
    return _B36[rank // 36] + _B36[rank % 36]


def _build_sort_map() -> dict[str, str]:
    # space first («آب» before «آبادان»), then digits, Latin letters and the Persian
    # alphabet; every character becomes two upper-case base-36 characters, so the key is
    # plain ASCII and compares the same under C, en_US.UTF-8 or any other collation.
    order = [" ", *"0123456789", *"abcdefghijklmnopqrstuvwxyz", *_ALPHABET]
    return {ch: _code(rank) for rank, ch in enumerate(order)}


_SORT_MAP = _build_sort_map()
_OTHER_BASE = 100  # other characters follow, in code-point order folded into the rest
_OTHER_SPAN = 36 * 36 - _OTHER_BASE


class _SortCodes(dict[int, str]):
    """Each character's code by its code point, for ``str.translate``: one C call per key
    instead of a Python step per character (a bulk import keys a hundred thousand names).
    A character not in ``_SORT_MAP`` gets its code the first time it is met, kept for the
    next (a few thousand at most: a text of rare characters does not grow it further)."""

    def __missing__(self, point: int) -> str:
        code = _SORT_MAP.get(chr(point)) or _code(_OTHER_BASE + point % _OTHER_SPAN)
        if len(self) < 4096:
            self[point] = code
        return code


_SORT_CODES = _SortCodes({ord(ch): code for ch, code in _SORT_MAP.items()})


def sort_key(text: str | None, *, max_chars: int = 60) -> str:
    """An ASCII key whose byte order is the Persian alphabetical order of ``text``:
    پ after ب, چ after ج, ژ after ز, گ after ک, on PostgreSQL and SQLite alike
    (a plain C or UTF-8 byte order puts them all after ی). ZWNJ counts as a space;
    only the first ``max_chars`` characters count (ties are broken by id)."""
    norm = normalize(text).lower().translate(_SORT_FOLD).replace(ZWNJ, " ")[:max_chars]
    return norm.translate(_SORT_CODES)
