"""The directory of units (/enterprises/): who finds which units, search however a name is
typed, every filter as a URL, Persian alphabetical order, keyset pages walked forwards and
back, the htmx fragment and the capped count."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.urls import reverse

from enterprises.models import Enterprise, Status
from tests.factories import get_isic, make_enterprise
from tests.views_helpers import directory_ids, link, page, result_count_text

DIRECTORY = reverse("enterprise_directory")


def listed(client, **params: Any) -> list[int]:
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    return directory_ids(response)


def names_listed(client, **params: Any) -> list[str]:
    names = dict(Enterprise.objects.values_list("pk", "name"))
    return [names[pk] for pk in listed(client, **params)]


# --- who finds which units ----------------------------------------------------------------------

PUBLISHED = {"p_published", "tehran_published"}
KEEPS = {
    "national_admin": {
        "e", "p_published", "qom_other_park", "qom_outside", "tehran_published",
        "tehran_unpublished",
    },
    "officer_a": {"e", "p_published", "qom_other_park", "qom_outside"},
    "officer_b": {"tehran_published", "tehran_unpublished"},
    "park_manager": {"e", "p_published"},
    "owner": {"e"},
    "anonymous": set(),
}  # fmt: skip


@pytest.mark.parametrize("who", list(KEEPS))
def test_each_role_finds_the_units_it_keeps_and_the_published_ones(
    who, user_of, client_for, registry
) -> None:
    found = set(listed(client_for(user_of(who))))

    expected = KEEPS[who] | PUBLISHED
    assert found == {getattr(registry, name).pk for name in expected}


def test_the_public_finds_only_published_units(anonymous, client_for, registry) -> None:
    names = names_listed(client_for(anonymous))

    assert sorted(names) == sorted([registry.p_published.name, registry.tehran_published.name])


def test_an_officer_of_qom_finds_every_qom_unit_and_other_provinces_published_ones(
    officer_a, client_for, registry
) -> None:
    found = set(listed(client_for(officer_a)))

    assert {registry.e.pk, registry.qom_other_park.pk, registry.qom_outside.pk} <= found
    assert registry.tehran_published.pk in found
    assert registry.tehran_unpublished.pk not in found


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def kimia(reference) -> dict[str, Enterprise]:
    """A foundry with a ZWNJ and a digit in its name, and a food unit that shares a word."""
    return {
        "foundry": make_enterprise(
            name="صنایع ریخته‌گری کیمیا ۲", products="یاتاقان و بوش برنجی", published=True
        ),
        "food": make_enterprise(name="صنایع غذایی کیان", products="کنسرو ماهی", published=True),
    }


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("ریخته‌گری کیمیا", id="as written"),
        pytest.param("ريخته‌گري كيميا", id="Arabic yeh and kaf"),
        pytest.param("ریختهگری", id="without the ZWNJ"),
        pytest.param("ریخته گری", id="a space instead of the ZWNJ"),
        pytest.param("کیمیا ۲", id="Persian digits"),
        pytest.param("کیمیا ٢", id="Arabic-Indic digits"),
        pytest.param("ریختـــه‌گری", id="tatweel"),
        pytest.param("کیمیَا ریختهِ‌گری", id="diacritics"),
        pytest.param("کیمیا ریخته‌گری صنایع", id="words in another order"),
        pytest.param("یاتاقان", id="a product"),
        pytest.param("بوش برنجي", id="a product with Arabic yeh"),
    ],
)
def test_a_search_finds_the_unit_however_it_is_typed(typed, anonymous, client_for, kimia):
    found = listed(client_for(anonymous), q=typed)

    assert found == [kimia["foundry"].pk]


def test_a_search_that_matches_nothing_says_so(anonymous, client_for, kimia) -> None:
    response = client_for(anonymous).get(DIRECTORY, {"q": "نساجی"})

    assert directory_ids(response) == []
    assert "۰" in result_count_text(response)


# --- filters -------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(reference) -> dict[str, Enterprise]:
    """Five published units that differ in every filter."""
    return {
        "bread": make_enterprise(
            name="نان سحر", park=reference.park_p, isic_division=get_isic("10"),
            employees=5, exporter=True, published=True,
        ),
        "print": make_enterprise(
            name="چاپ نقش", park=reference.park_p2, isic_division=get_isic("18"),
            employees=20, status=Status.UNDER_CONSTRUCTION, published=True,
        ),
        "cable": make_enterprise(
            name="کابل قم", province=reference.qom, isic_division=get_isic("27"),
            employees=30, status=Status.SEMI_ACTIVE, published=True,
        ),
        "steel": make_enterprise(
            name="فولاد البرز", province=reference.alborz, isic_division=get_isic("24"),
            employees=150, status=Status.IDLE, knowledge_based=True, published=True,
        ),
        "tile": make_enterprise(
            name="کاشی تهران", park=reference.park_tehran, isic_division=get_isic("23"),
            employees=60, status=Status.CLOSED, knowledge_based=True, exporter=True,
            published=True,
        ),
    }  # fmt: skip


FILTERS = [
    ({"province": "IR-25"}, {"bread", "print", "cable"}),
    ({"province": "ir-30"}, {"steel"}),
    ({"park": "park_p"}, {"bread"}),
    ({"park": "park_p2"}, {"print"}),
    ({"group": "metal"}, {"steel"}),
    ({"group": "food"}, {"bread"}),
    ({"isic": "18"}, {"print"}),
    ({"isic": "23"}, {"tile"}),
    ({"size": "micro"}, {"bread"}),
    ({"size": "small"}, {"print", "cable"}),
    ({"size": "medium"}, {"tile"}),
    ({"size": "large"}, {"steel"}),
    ({"status": "active"}, {"bread"}),
    ({"status": "under_construction"}, {"print"}),
    ({"status": "semi_active"}, {"cable"}),
    ({"status": "idle"}, {"steel"}),
    ({"status": "closed"}, {"tile"}),
    ({"kb": "1"}, {"steel", "tile"}),
    ({"exporter": "1"}, {"bread", "tile"}),
    ({"province": "IR-25", "size": "small"}, {"print", "cable"}),
    ({"kb": "1", "exporter": "1"}, {"tile"}),
    ({"province": "IR-23", "status": "active"}, set()),
    ({"province": "IR-25", "exporter": "1"}, {"bread"}),
    ({"province": "IR-30", "group": "metal", "kb": "1"}, {"steel"}),
    ({"province": "IR-23", "kb": "1", "exporter": "1"}, {"tile"}),
    ({"province": "IR-25", "kb": "1"}, set()),
]


@pytest.mark.parametrize(
    ("params", "expected"),
    FILTERS,
    ids=["&".join(f"{k}={v}" for k, v in params.items()) for params, _ in FILTERS],
)
def test_each_filter_in_the_url_narrows_the_list(
    params, expected, anonymous, client_for, catalogue, reference
) -> None:
    if "park" in params:
        params = {**params, "park": str(getattr(reference, params["park"]).pk)}

    found = set(listed(client_for(anonymous), **params))

    assert found == {catalogue[name].pk for name in expected}


def test_without_filters_every_published_unit_is_listed(anonymous, client_for, catalogue):
    assert set(listed(client_for(anonymous))) == {unit.pk for unit in catalogue.values()}


@pytest.mark.parametrize(
    "params",
    [
        {"status": "revived"},
        {"size": "huge"},
        {"sort": "name; drop table"},
        {"park": "abc"},
        {"kb": "maybe"},
        {"isic": "99"},
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()),
)
def test_an_invalid_filter_value_is_ignored_rather_than_failing(
    params, anonymous, client_for, catalogue
) -> None:
    found = set(listed(client_for(anonymous), **params))

    # A code that names no ISIC division is ignored like the others (and said on the page).
    assert found == {unit.pk for unit in catalogue.values()}


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"park": "²"}, id="park given as a superscript digit"),
        pytest.param({"park": "9" * 25}, id="park id beyond any integer column"),
        pytest.param({"q": "فولاد\x00"}, id="NUL in the search"),
        pytest.param({"province": "IR-25\x00"}, id="NUL in the province"),
        pytest.param({"group": "metal\x00"}, id="NUL in the group"),
        pytest.param({"isic": "2\x00"}, id="NUL in the ISIC code"),
    ],
)
def test_a_crafted_filter_value_gives_a_page_not_a_server_error(
    params, anonymous, client_for, catalogue
) -> None:
    """Known bugs: these raise (a 500) — the park because ``str.isdigit`` accepts digits
    ``int`` cannot read and ids beyond SQLite's integers, the NUL characters on PostgreSQL
    (which refuses them in text)."""
    response = client_for(anonymous).get(DIRECTORY, params)

    assert response.status_code == 200


# --- Persian alphabetical order -------------------------------------------------------------

# In the Persian alphabet: ب پ ت, ج چ ح, ز ژ س, ک گ ل. In code-point (byte) order پ چ ژ گ
# all come after the letters that follow them here.
PERSIAN_ORDER = [
    "آبان", "بهار", "پارس", "تابان", "جهان", "چکاد", "حافظ", "زرین", "ژیان", "سپهر",
    "کوثر", "گلرنگ", "لادن", "یاس",
]  # fmt: skip


def test_sorting_by_name_follows_the_persian_alphabet(anonymous, client_for, reference):
    assert sorted(PERSIAN_ORDER) != PERSIAN_ORDER  # byte order would be wrong here
    for name in reversed(PERSIAN_ORDER):
        make_enterprise(name=name, published=True)

    assert names_listed(client_for(anonymous)) == PERSIAN_ORDER
    assert names_listed(client_for(anonymous), sort="name") == PERSIAN_ORDER
    assert names_listed(client_for(anonymous), sort="-name") == PERSIAN_ORDER[::-1]


# --- keyset pages ----------------------------------------------------------------------------

# Ten published units with repeated names and repeated employee counts, so pages break
# inside runs of equal sort values; one unpublished unit the public must never meet.
PAGED = [
    ("آبان", 10), ("بهار", 20), ("بهار", 20), ("بهار", 20), ("پارس", 5),
    ("تابان", 5), ("جهان", 7), ("چکاد", 8), ("چکاد", 8), ("حافظ", 100),
]  # fmt: skip


@pytest.fixture
def paged(reference) -> list[Enterprise]:
    units = [make_enterprise(name=n, employees=e, published=True) for n, e in PAGED]
    make_enterprise(name="بهار", employees=20, published=False)
    return units


def _rank(unit: Enterprise) -> int:
    return PERSIAN_ORDER.index(unit.name)


EXPECTED_ORDER = {
    "name": lambda units: sorted(units, key=lambda u: (_rank(u), u.pk)),
    "-name": lambda units: sorted(units, key=lambda u: (-_rank(u), -u.pk)),
    "-employees": lambda units: sorted(units, key=lambda u: (-u.employees, -u.pk)),
    "-registered": lambda units: sorted(units, key=lambda u: -u.pk),
}


def _walk(client, url: str, rel: str) -> list[list[int]]:
    """The pages met following ``rel`` links from ``url``, each as its units' ids."""
    pages = []
    for _ in range(20):
        response = client.get(url)
        assert response.status_code == 200
        pages.append(directory_ids(response))
        href = link(page(response), rel)
        if href is None:
            return pages
        url = DIRECTORY + href
    raise AssertionError(f"more than 20 pages following {rel}")


@pytest.mark.parametrize("sort", list(EXPECTED_ORDER))
def test_walking_next_meets_every_unit_once_in_order_and_previous_walks_back(
    sort, anonymous, client_for, paged, settings
) -> None:
    settings.DIRECTORY_PAGE_SIZE = 3
    client = client_for(anonymous)
    expected = [unit.pk for unit in EXPECTED_ORDER[sort](paged)]

    forward = _walk(client, f"{DIRECTORY}?sort={sort}", "next")

    assert [pk for p in forward for pk in p] == expected
    assert [len(p) for p in forward] == [3, 3, 3, 1]

    last = client.get(f"{DIRECTORY}?sort={sort}")
    for _ in range(len(forward) - 1):
        last = client.get(DIRECTORY + link(page(last), "next"))
    assert link(page(last), "next") is None
    backward = _walk(client, DIRECTORY + link(page(last), "prev"), "prev")

    assert [directory_ids(last), *backward] == forward[::-1]


def test_the_page_links_keep_the_filters(anonymous, client_for, paged, settings) -> None:
    settings.DIRECTORY_PAGE_SIZE = 2
    client = client_for(anonymous)

    first = client.get(DIRECTORY, {"q": "بهار", "sort": "-employees"})
    second = client.get(DIRECTORY + link(page(first), "next"))

    assert "q=" in link(page(first), "next") and "sort=-employees" in link(page(first), "next")
    names = dict(Enterprise.objects.values_list("pk", "name"))
    found = directory_ids(first) + directory_ids(second)
    assert [names[pk] for pk in found] == ["بهار"] * 3  # the three published ones: 2 + 1
    assert link(page(second), "next") is None


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("param", "token"),
    [
        pytest.param("after", "garbage", id="after=garbage"),
        pytest.param("before", "garbage", id="before=garbage"),
        pytest.param("after", "!!!", id="not base64"),
        pytest.param("after", _cursor("x"), id="no id in the cursor"),
        pytest.param("after", _cursor("a\x1fnot-a-number"), id="an id that is not a number"),
        pytest.param("after", _cursor("\x00\x1f1"), id="a NUL in the cursor"),
    ],
)
def test_a_tampered_cursor_gives_the_first_page(
    param, token, anonymous, client_for, paged, settings
) -> None:
    settings.DIRECTORY_PAGE_SIZE = 3
    client = client_for(anonymous)
    first_page = listed(client)

    assert listed(client, **{param: token}) == first_page


# --- htmx and the count ---------------------------------------------------------------------


def test_an_htmx_request_gets_only_the_results_fragment(anonymous, client_for, catalogue):
    response = client_for(anonymous).get(DIRECTORY, {"province": "IR-25"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = page(response)
    assert "<html" not in html
    assert 'id="directory-filters"' not in html
    assert set(directory_ids(response)) == {catalogue[n].pk for n in ("bread", "print", "cable")}
    assert "HX-Request" in response["Vary"]


def test_the_full_page_varies_on_htmx_too_so_caches_keep_them_apart(
    anonymous, client_for, catalogue
) -> None:
    response = client_for(anonymous).get(DIRECTORY)

    assert "<html" in page(response)
    assert 'id="directory-filters"' in page(response)
    assert "HX-Request" in response["Vary"]


def test_the_count_reads_more_than_when_it_passes_the_cap(
    anonymous, client_for, catalogue, settings
) -> None:
    settings.DIRECTORY_COUNT_CAP = 3
    client = client_for(anonymous)
    client.cookies["django_language"] = "en"

    assert result_count_text(client.get(DIRECTORY)).strip() == "More than 3 units"


def test_the_count_is_exact_up_to_the_cap(anonymous, client_for, catalogue, settings) -> None:
    settings.DIRECTORY_COUNT_CAP = 5
    client = client_for(anonymous)
    client.cookies["django_language"] = "en"

    assert result_count_text(client.get(DIRECTORY)).strip() == "5 units"


def test_the_capped_count_is_written_in_persian_digits_in_the_persian_ui(
    anonymous, client_for, catalogue, settings
) -> None:
    settings.DIRECTORY_COUNT_CAP = 3

    text = result_count_text(client_for(anonymous).get(DIRECTORY))

    assert "۳" in text
    assert "۵" not in text and "3" not in text


# --- an ignored filter is said on the page --------------------------------------------------

IGNORED = "فیلتر «{label}» نادیده گرفته شد: مقدار «{value}» معتبر نیست."


@pytest.mark.parametrize(
    ("name", "value", "label"),
    [
        ("size", "huge", "اندازه"),
        ("status", "revived", "وضعیت"),
        ("park", "abc", "شهرک یا ناحیه صنعتی"),
        ("park", "987654", "شهرک یا ناحیه صنعتی"),
        ("province", "IR-99", "استان"),
        ("group", "no-such-group", "رشته صنعتی"),
        ("isic", "7", "بخش ISIC (ویرایش ۴)"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_an_ignored_filter_is_named_on_the_page_with_its_value(
    name, value, label, htmx, anonymous, client_for, catalogue
) -> None:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client_for(anonymous).get(DIRECTORY, {name: value}, **headers)

    assert response.status_code == 200
    assert IGNORED.format(label=label, value=value) in page(response)
    assert set(directory_ids(response)) == {unit.pk for unit in catalogue.values()}


def test_valid_filters_say_nothing_was_ignored(anonymous, client_for, catalogue) -> None:
    html = page(client_for(anonymous).get(DIRECTORY, {"province": "IR-25", "size": "small"}))

    assert "نادیده گرفته شد" not in html


# --- the public's first page kept a short while ------------------------------------------------


def test_the_publics_search_is_reused_briefly_but_never_shows_a_unit_unpublished_since(
    anonymous, officer_a, client_for, reference
) -> None:
    shown = make_enterprise(name="فولاد البرز", province=reference.qom, published=True)
    public = client_for(anonymous)
    assert listed(public, q="فولاد") == [shown.pk]

    added = make_enterprise(name="فولاد کویر", province=reference.qom, published=True)
    Enterprise.objects.filter(pk=shown.pk).update(published=False)

    # Within the reuse time the public's page one is the one found before, read afresh:
    # the unit unpublished since is gone; the new one shows once the time is over.
    assert listed(public, q="فولاد") == []
    # An officer (who has just registered a unit and looks for it) is never served it.
    assert sorted(listed(client_for(officer_a), q="فولاد")) == sorted([shown.pk, added.pk])


def test_the_publics_first_page_kept_is_one_cache_round_trip_and_the_next_page_keeps_its_count(
    anonymous, client_for, paged, settings, monkeypatch
) -> None:
    """Many people open the public directory's first page: once kept, it costs one read of
    the shared cache (before: a read and a write of the count each time); the next page
    reads the count page one kept instead of counting again."""
    from collections import Counter

    from enterprises import selectors

    settings.DIRECTORY_PAGE_SIZE = 3
    seen: Counter[str] = Counter()
    real = selectors.cache

    class Counted:
        def __getattr__(self, name: str) -> Any:
            seen[name] += 1
            return getattr(real, name)

    monkeypatch.setattr(selectors, "cache", Counted())
    client = client_for(anonymous)
    first = client.get(DIRECTORY, {"sort": "name"})  # found and kept
    assert seen["get"] == 1 and seen["set"] == 2
    seen.clear()
    again = client.get(DIRECTORY, {"sort": "name"})
    assert directory_ids(again) == directory_ids(first)
    assert seen == Counter(get=1)
    seen.clear()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        second = client.get(DIRECTORY + link(page(first), "next"))
    assert result_count_text(second) == result_count_text(first)
    assert not any("COUNT(" in q["sql"] for q in captured)  # the count kept by page one
    assert seen == Counter(get=1)


# --- a search matching more than the cap, for people logged in --------------------------------


def test_a_search_known_to_pass_the_cap_finds_its_page_afresh_without_counting_again(
    officer_a, client_for, reference, settings
) -> None:
    """A common word matches tens of thousands of units: finding them up to the cap was the
    whole cost of its page. Once a search is known to pass the cap (kept as the next pages'
    count), page one finds only its rows, afresh: a unit registered since is listed at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DIRECTORY_COUNT_CAP = 2
    settings.DIRECTORY_PAGE_SIZE = 1
    for name in ("فولاد کویر", "فولاد مبارکه", "فولاد هرمز"):
        make_enterprise(name=name, province=reference.qom)
    client = client_for(officer_a)
    client.cookies["django_language"] = "en"
    first = client.get(DIRECTORY, {"q": "فولاد"})
    assert result_count_text(first).strip() == "More than 2 units"
    added = make_enterprise(name="فولاد البرز", province=reference.qom)  # first in name order

    with CaptureQueriesContext(connection) as captured:
        again = client.get(DIRECTORY, {"q": "فولاد"})

    assert directory_ids(again) == [added.pk]
    assert result_count_text(again).strip() == "More than 2 units"
    searched = [q["sql"] for q in captured if "LIKE" in q["sql"]]
    assert searched and all("LIMIT 3" not in sql for sql in searched)  # not up to the cap


def test_a_search_under_the_cap_is_counted_afresh_each_time(
    officer_a, client_for, reference, settings
) -> None:
    make_enterprise(name="فولاد کویر", province=reference.qom)
    settings.DIRECTORY_COUNT_CAP = 5
    client = client_for(officer_a)
    client.cookies["django_language"] = "en"
    assert result_count_text(client.get(DIRECTORY, {"q": "فولاد"})).strip() == "1 unit"

    make_enterprise(name="فولاد هرمز", province=reference.qom)

    assert result_count_text(client.get(DIRECTORY, {"q": "فولاد"})).strip() == "2 units"


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_a_unit_with_a_very_long_text_is_found_in_its_place_in_name_order(
    sort, national_admin, client_for, reference, settings
) -> None:
    """The name-order indexes that carry the search text hold texts up to 2,000 bytes
    (PostgreSQL); a longer one is found apart and listed in its place all the same."""
    from enterprises.selectors import TEXT_IN_INDEX_BYTES

    settings.DIRECTORY_PAGE_SIZE = 2
    short = [
        make_enterprise(name=name, province=reference.qom, products="شیر پاستوریزه")
        for name in ("الف شیر", "پ شیر", "ت شیر")
    ]
    long = make_enterprise(
        name="ب شیر", province=reference.qom, products="شیر " + "ماست " * TEXT_IN_INDEX_BYTES
    )
    expected = [short[0].pk, long.pk, short[1].pk, short[2].pk]
    if sort == "-name":
        expected.reverse()
    client = client_for(national_admin)

    first = client.get(DIRECTORY, {"q": "شیر", "sort": sort})
    second = client.get(DIRECTORY + link(page(first), "next"))

    assert directory_ids(first) + directory_ids(second) == expected


# --- the filter form's choices ------------------------------------------------------------------


def test_the_filter_choices_are_read_once_and_again_after_a_change(
    anonymous, client_for, catalogue
) -> None:
    """Provinces, industry groups and ISIC divisions were three queries on every page; they
    are read once, and again as soon as one of them is saved."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from places.models import Province

    client = client_for(anonymous)
    client.get(DIRECTORY)
    with CaptureQueriesContext(connection) as captured:
        client.get(DIRECTORY, {"size": "small"})
    read = " ".join(q["sql"] for q in captured)
    assert 'FROM "places_province"' not in read and 'FROM "sectors_' not in read

    qom = Province.objects.get(code="IR-25")
    qom.name_fa = "استان قم (نام تازه)"
    qom.save()

    assert "استان قم (نام تازه)" in page(client.get(DIRECTORY))


def test_a_province_or_group_filter_costs_no_query_for_its_code(
    national_admin, client_for, catalogue
) -> None:
    """The codes in the URL are read from the kept choices: a filtered page asks the
    database for the units only, not again for the province and the group."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(national_admin)
    client.get(DIRECTORY)
    with CaptureQueriesContext(connection) as captured:
        found = listed(client, province="IR-30", group="metal", kb="1")

    assert found == [catalogue["steel"].pk]
    read = " ".join(q["sql"] for q in captured)
    assert 'FROM "places_province"' not in read and 'FROM "sectors_industrygroup"' not in read


def test_a_province_added_since_the_choices_were_read_is_filtered_on_not_ignored(
    anonymous, client_for, catalogue, monkeypatch
) -> None:
    """Another process may add a province or a group the choices kept here do not list
    yet: its code is looked up, so the filter applies and nothing is said to be ignored."""
    from enterprises import selectors

    provinces, groups, divisions = selectors.directory_choices()
    kept = ([p for p in provinces if p.code != "IR-25"], [g for g in groups if g.key != "food"])
    monkeypatch.setitem(selectors._CHOICES, "lists", (*kept, divisions))
    client = client_for(anonymous)
    client.cookies["django_language"] = "en"

    response = client.get(DIRECTORY, {"province": "IR-25", "group": "food"})

    assert directory_ids(response) == [catalogue["bread"].pk]
    assert 'data-testid="ignored-filters"' not in page(response)


def test_flagged_units_of_a_province_are_listed_in_persian_order_page_by_page(
    national_admin, client_for, reference, settings
) -> None:
    """Knowledge-based exporters of one province: every one once, in the Persian alphabet,
    the others (not flagged, or elsewhere) never."""
    settings.DIRECTORY_PAGE_SIZE = 2
    names = ["گلرنگ", "بهار", "ژیان", "پارس", "چکاد"]
    flagged = {
        name: make_enterprise(
            name=name, province=reference.qom, knowledge_based=True, exporter=True
        )
        for name in names
    }
    make_enterprise(name="آبان", province=reference.qom, knowledge_based=True)
    make_enterprise(name="الف", province=reference.tehran, knowledge_based=True, exporter=True)
    client = client_for(national_admin)

    seen: list[int] = []
    response = client.get(DIRECTORY, {"province": "IR-25", "kb": "1", "exporter": "1"})
    while True:
        seen += directory_ids(response)
        following = link(page(response), "next")
        if not following:
            break
        response = client.get(DIRECTORY + following)

    assert seen == [flagged[n].pk for n in ["بهار", "پارس", "چکاد", "ژیان", "گلرنگ"]]
