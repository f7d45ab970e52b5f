"""Persian text: names match however they were typed, and sort in the Persian alphabet."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.db.models.functions import Collate

from enterprises.models import Enterprise
from persian.text import normalize, search_key, search_terms, sort_key, to_persian_digits
from places.models import Park
from tests.factories import make_enterprise, make_park

ZWNJ = "\u200c"

# --- search_key: every way of typing a name gives one key ---------------------------------

SAME_NAME_TYPED_DIFFERENTLY = [
    pytest.param("کارخانه\u200cهای", "کارخانه های", id="zwnj-vs-space"),
    pytest.param("کارخانه\u200cهای", "کارخانههای", id="zwnj-vs-nothing"),
    pytest.param("کارخانه های", "کارخانههای", id="space-vs-nothing"),
    pytest.param("كارخانه‌هاي", "کارخانه‌های", id="arabic-kaf-and-yeh"),
    pytest.param("صنايع غذايي", "صنایع غذایی", id="arabic-yeh"),
    pytest.param("لاستيك", "لاستیک", id="arabic-yeh-and-kaf"),
    pytest.param("قطعه ۱۲۳", "قطعه 123", id="persian-vs-latin-digits"),
    pytest.param("قطعه ١٢٣", "قطعه 123", id="arabic-indic-vs-latin-digits"),
    pytest.param("مُحَمَّد", "محمد", id="fatha-damma-tashdid"),
    pytest.param("صِنایِع", "صنایع", id="kasra"),
    pytest.param("کـــارخـانه", "کارخانه", id="tatweel"),
    pytest.param("  کارخانه  ", "کارخانه", id="leading-and-trailing-spaces"),
    pytest.param("\u200cکارخانه\u200c", "کارخانه", id="leading-and-trailing-zwnj"),
    pytest.param("کارخانه \u200c ها", "کارخانه‌ها", id="zwnj-surrounded-by-spaces"),
    pytest.param("پائیز", "پاییز", id="hamza-seat-yeh"),
    pytest.param("آهن", "اهن", id="alef-madda-typed-as-alef"),
    pytest.param("Pishran CO", "pishran co", id="latin-case"),
]


@pytest.mark.parametrize(("typed", "canonical"), SAME_NAME_TYPED_DIFFERENTLY)
def test_a_name_typed_another_way_has_the_same_search_key(typed: str, canonical: str) -> None:
    assert search_key(typed) == search_key(canonical)


def test_the_three_spellings_of_karkhaneh_ha_give_one_search_key() -> None:
    keys = {search_key("کارخانه‌های"), search_key("کارخانه های"), search_key("کارخانههای")}
    assert len(keys) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        pytest.param("کارخانه", "کارخانجات", id="different-words"),
        pytest.param("قطعه 12", "قطعه 13", id="different-numbers"),
        pytest.param("بهار", "پهار", id="beh-is-not-peh"),
        pytest.param("کرم", "گرم", id="kaf-is-not-gaf"),
    ],
)
def test_different_names_keep_different_search_keys(one: str, other: str) -> None:
    assert search_key(one) != search_key(other)


def test_search_key_of_nothing_is_empty() -> None:
    assert search_key(None) == ""
    assert search_key("  \u200c ") == ""


# --- normalize: the stored display form --------------------------------------------------------


def test_normalize_keeps_one_zwnj_between_joined_parts() -> None:
    assert normalize("کارخانه \u200c\u200c های") == f"کارخانه{ZWNJ}های"


def test_normalize_folds_arabic_letters_digits_and_spaces_for_display() -> None:
    assert normalize("  صنايع   كاشي ۱۲  ") == "صنایع کاشی 12"


def test_normalize_drops_diacritics_and_tatweel() -> None:
    assert normalize("مُحَمَّـــد") == "محمد"


def test_persian_digits_are_used_for_display() -> None:
    assert to_persian_digits("1402/05/21") == "۱۴۰۲/۰۵/۲۱"
    assert to_persian_digits("٤٥") == "۴۵"


# --- search_terms -----------------------------------------------------------------------------


def test_search_terms_are_the_words_of_the_query_as_keys() -> None:
    assert search_terms("  ساخت   قطعات  خودرو ") == ["ساخت", "قطعات", "خودرو"]


def test_search_terms_fold_arabic_letters_and_digits() -> None:
    assert search_terms("كاشي ۱۲") == [search_key("کاشی"), "12"]


def test_each_search_term_is_found_in_the_stored_key_however_the_name_was_typed() -> None:
    stored = search_key("کارخانه‌های قند")
    for query in ("کارخانه های قند", "كارخانههاي", "قند کارخانه"):
        assert all(term in stored for term in search_terms(query)), query


def test_an_empty_query_has_no_terms() -> None:
    assert search_terms("") == []
    assert search_terms("   ") == []
    assert search_terms(None) == []


# --- sort_key: Persian alphabetical order -------------------------------------------------------

# Hand-written in Persian alphabetical order (آ ا ب پ ت ج چ … ز ژ … ک گ … ی). A plain
# code-point sort puts پ چ ژ گ after ی, so these names catch a byte-order sort.
PERSIAN_ORDER = [
    "آب معدنی",
    "آبادان",
    "احمدی",
    "بهار",
    "پارس",
    "تبریز",
    "جهان",
    "چمران",
    "زرین",
    "ژاله",
    "سپاهان",
    "کاوه",
    "گلستان",
    "یاس",
]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("ب", "پ"),
        ("بهار", "پارس"),
        ("ج", "چ"),
        ("جهان", "چمران"),
        ("ز", "ژ"),
        ("زرین", "ژاله"),
        ("ک", "گ"),
        ("کاوه", "گلستان"),
        ("آ", "ا"),
        ("ا", "ب"),
        ("پ", "ت"),
        ("چ", "ح"),
        ("ژ", "س"),
        ("گ", "ل"),
    ],
)
def test_letters_sort_in_persian_alphabetical_order(before: str, after: str) -> None:
    assert sort_key(before) < sort_key(after)


def test_names_starting_with_alef_madda_and_alef_come_first() -> None:
    names = ["یاس", "بهار", "احمدی", "آبادان"]
    assert sorted(names, key=sort_key)[:2] == ["آبادان", "احمدی"]


def test_a_space_sorts_before_any_letter() -> None:
    assert sort_key("آب معدنی") < sort_key("آبادان")
    assert sort_key("گل سرخ") < sort_key("گلاب")


def test_zwnj_sorts_like_a_space() -> None:
    assert sort_key("کارخانه‌ها") == sort_key("کارخانه ها")


def test_sort_keys_ignore_how_the_name_was_typed() -> None:
    assert sort_key("كاشي") == sort_key("کاشی")
    assert sort_key("قطعه ۱۲") == sort_key("قطعه 12")


def test_the_whole_list_sorts_in_persian_order() -> None:
    shuffled = PERSIAN_ORDER[:]
    random.Random(1402).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == PERSIAN_ORDER
    # the list is a real test: a code-point sort gets it wrong
    assert sorted(shuffled) != PERSIAN_ORDER


@pytest.mark.parametrize("name", [*PERSIAN_ORDER, "صنایع ۱۲ Co.", "ئ ة ۀ ؤ", "€ ☃"])
def test_sort_keys_are_plain_ascii(name: str) -> None:
    key = sort_key(name)
    assert key and key.isascii() and key.isalnum()


def test_only_the_first_sixty_characters_count_in_the_sort_key() -> None:
    assert sort_key("ب" * 60 + "آ") == sort_key("ب" * 60 + "ی")
    assert len(sort_key("ب" * 500)) <= (Enterprise._meta.get_field("sort_key").max_length or 0)


# --- the database sorts by these keys in the same order ---------------------------------------


def _insertion_order() -> list[str]:
    names = PERSIAN_ORDER[:]
    random.Random(21).shuffle(names)
    return names


def test_parks_ordered_by_sort_key_in_the_database_come_in_persian_order(reference) -> None:
    created = [make_park(name=f"{name}", province=reference.alborz) for name in _insertion_order()]

    rows = Park.objects.filter(pk__in=[p.pk for p in created]).order_by("sort_key", "id")

    assert [p.name for p in rows] == PERSIAN_ORDER


def test_enterprises_ordered_by_sort_key_in_the_database_come_in_persian_order(reference) -> None:
    created = [make_enterprise(name=name, province=reference.alborz) for name in _insertion_order()]

    rows = Enterprise.objects.filter(pk__in=[e.pk for e in created]).order_by("sort_key", "id")

    assert [e.name for e in rows] == PERSIAN_ORDER


def test_the_default_enterprise_ordering_is_persian_alphabetical(reference) -> None:
    created = [make_enterprise(name=name, province=reference.alborz) for name in _insertion_order()]

    rows = Enterprise.objects.filter(pk__in=[e.pk for e in created])

    assert [e.name for e in rows] == PERSIAN_ORDER


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ICU collations are PostgreSQL's")
@pytest.mark.parametrize("collation", ["C", "en-x-icu", "und-x-icu"])
def test_the_order_is_the_same_under_any_postgresql_collation(reference, collation: str) -> None:
    created = [make_park(name=name, province=reference.alborz) for name in _insertion_order()]

    rows = Park.objects.filter(pk__in=[p.pk for p in created]).order_by(
        Collate("sort_key", collation), "id"
    )

    assert [p.name for p in rows] == PERSIAN_ORDER


# --- issue 18: bidi controls, PDF presentation forms, other keyboards, every letter's place ---

BIDI_CONTROLS = [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c",
]  # fmt: skip


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=[f"U+{ord(c):04X}" for c in BIDI_CONTROLS])
def test_bidi_controls_are_removed_from_stored_names(control: str) -> None:
    """A name cannot disguise itself (an RLO turning «پارس‌کو» around) once stored."""
    typed = f"پارس{control}کو {control}Ltd"
    assert normalize(typed) == "پارسکو Ltd"
    assert search_key(typed) == search_key("پارسکو Ltd")


def test_an_override_hidden_inside_a_latin_name_is_removed() -> None:
    assert normalize("\u202eevil\u202c.exe") == "evil.exe"


LOOK_ALIKES = [
    pytest.param("ﺻﻨﺎﯾﻊ ﻏﺬاﯾﯽ", "صنایع غذایی", id="pdf-presentation-forms"),
    pytest.param("ﻛﺎرﺧﺎﻧﻪ", "کارخانه", id="pdf-arabic-kaf-form"),
    pytest.param("ﻻﺳﺘﯿﮏ", "لاستیک", id="pdf-lam-alef-ligature"),
    pytest.param("ﺁﻫﻦ", "آهن", id="pdf-alef-madda-form"),
    pytest.param("کارخانہ", "کارخانه", id="urdu-heh-goal"),
    pytest.param("کارخانە", "کارخانه", id="kurdish-ae"),
    pytest.param("کارخانھ", "کارخانه", id="heh-doachashmee"),
    pytest.param("خانۂ", "خانۀ", id="heh-goal-with-hamza"),
    pytest.param("ڪاشی", "کاشی", id="swash-kaf"),
    pytest.param("پاییز", "پاېېز", id="yeh-two-dots-below"),
    pytest.param("صنایع", "صناۍع", id="yeh-with-tail"),
    pytest.param("مؤسسة", "موسسه", id="waw-hamza-and-teh-marbuta"),
]


@pytest.mark.parametrize(("typed", "canonical"), LOOK_ALIKES)
def test_text_pasted_from_a_pdf_or_typed_on_another_layout_has_the_same_search_key(
    typed: str, canonical: str
) -> None:
    assert search_key(typed) == search_key(canonical)


def test_presentation_forms_become_the_persian_letters_in_the_stored_name() -> None:
    assert normalize("ﺻﻨﺎﯾﻊ ﻏﺬاﯾﯽ") == "صنایع غذایی"


def test_normalize_leaves_persian_letters_as_they_are() -> None:
    alphabet = "آاءبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئؤۀأإ"
    assert normalize(alphabet) == alphabet


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["ﺻﻨﺎﯾﻊ ﻏﺬاﯾﯽ", "صنايع غذايي", "صنایع\u202eغذایی"])
def test_a_name_pasted_from_a_pdf_is_found_in_the_stored_search_column(query, reference) -> None:
    unit = make_enterprise(name="صنایع غذایی آرمان")
    found = Enterprise.objects.all()
    for term in search_terms(query):
        found = found.filter(search_text__contains=term)
    assert list(found.values_list("pk", flat=True)) == [unit.pk]


@pytest.mark.parametrize(
    ("name", "neighbour_before", "neighbour_after"),
    [
        pytest.param("پائیز", "پاپ", "پاییزه", id="yeh-with-hamza-sorts-as-yeh"),
        pytest.param("أحمد", "آب", "ب", id="alef-with-hamza-above-sorts-as-alef"),
        pytest.param("إیران", "آب", "ب", id="alef-with-hamza-below-sorts-as-alef"),
        pytest.param("مؤمن", "مواد", "مهر", id="waw-with-hamza-sorts-as-waw"),
        pytest.param("خانۀ", "خانم", "خانی", id="heh-with-yeh-sorts-as-heh"),
    ],
)
def test_every_letter_has_its_place_in_the_persian_order(
    name: str, neighbour_before: str, neighbour_after: str
) -> None:
    assert sort_key(neighbour_before) < sort_key(name) < sort_key(neighbour_after)


def test_yeh_with_hamza_no_longer_sorts_after_every_letter() -> None:
    assert sort_key("ئ") < sort_key("ی" + "ی")
    assert sort_key("پائیز") == sort_key("پاییز")
