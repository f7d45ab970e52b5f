"""The pages that show figures (country, provinces, parks) and the park forms.

``ACCESS`` is the policy, read like the enterprise table in
``tests/enterprises/test_views_access.py``: ``page`` (200), ``done`` (a valid POST saves
and returns to the park's page, audited), ``created`` (302 to the new park's page),
``refused`` (200, the province marked wrong, nothing saved), ``404``, ``login``.

Figures are cached for a few minutes (``indicators.figures``); every test here starts and
ends with an empty cache so that each sees the registry it built.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from audit.services import history_of
from indicators import sources
from places.models import Park
from tests.access_tables import ROLES, TWO_GRANTS, with_two_grants
from tests.factories import reload
from tests.views_helpers import (
    field_errors,
    is_login_redirect,
    page,
    park_post_data,
    registry_state,
)

PARKS = ("park_p", "park_p2", "park_tehran")
PROVINCES = ("qom", "tehran")


def _table(columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    assert tuple(rows) == ROLES
    return {role: dict(zip(columns, row, strict=True)) for role, row in rows.items()}


def _everyone(columns: tuple[str, ...], outcomes: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return {role: dict(zip(columns, outcomes, strict=True)) for role in ROLES}


def _as_get(post: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {
        role: {t: "page" if o == "done" else o for t, o in row.items()}
        for role, row in post.items()
    }


# fmt: off
PARK_CREATE_FORM = _table(("-",), {
    "national_admin": ("page",),
    "officer_a":      ("page",),
    "officer_b":      ("page",),
    "park_manager":   ("404",),
    "owner":          ("404",),
    "cluster_agent":  ("404",),
    "anonymous":      ("login",),
})

# A park is registered in a province by the national office or that province's officer.
#                     qom        tehran
PARK_CREATE = _table(PROVINCES, {
    "national_admin": ("created", "created"),
    "officer_a":      ("created", "refused"),
    "officer_b":      ("refused", "created"),
    "park_manager":   ("404",     "404"),
    "owner":          ("404",     "404"),
    "cluster_agent":  ("404",     "404"),
    "anonymous":      ("login",   "login"),
})

# A park is kept by the national office, its province's officer and its own managers.
#                     park_p   park_p2  park_tehran
PARK_EDIT = _table(PARKS, {
    "national_admin": ("done",  "done",  "done"),
    "officer_a":      ("done",  "done",  "404"),
    "officer_b":      ("404",   "404",   "done"),
    "park_manager":   ("done",  "404",   "404"),
    "owner":          ("404",   "404",   "404"),
    "cluster_agent":  ("404",   "404",   "404"),
    "anonymous":      ("login", "login", "login"),
})
# fmt: on

ACCESS: dict[str, dict[str, dict[str, dict[str, str]]]] = with_two_grants(
    {
        "home": {"GET": _everyone(("-",), ("page",))},
        "province_list": {"GET": _everyone(("-",), ("page",))},
        "province_detail": {"GET": _everyone(("IR-25", "ir-25", "IR-99"), ("page", "page", "404"))},
        "province_report": {"GET": _everyone(("IR-25", "ir-25", "IR-99"), ("page", "page", "404"))},
        "park_list": {"GET": _everyone(("-",), ("page",))},
        # Parks and zones per province by kind × ownership (public records), and the units
        # and jobs by park kind × ownership (the published figures ``units`` and ``jobs``).
        "park_counts": {"GET": _everyone(("-",), ("page",))},
        "park_kind_units": {"GET": _everyone(("-",), ("page",))},
        "park_detail": {"GET": _everyone(PARKS, ("page", "page", "page"))},
        "indicator_catalogue": {"GET": _everyone(("-",), ("page",))},
        "stats": {"GET": _everyone(("-",), ("page",))},
        # The rows behind a figure: everyone gets a list, filtered by their scope (what each
        # role sees in it is tested in test_dashboards.py); an unknown indicator is not found.
        # Revivals and permits too (an event is history: the public gets the figure, the
        # staff the events they keep); downloads of the same rows, an unknown format 404.
        "indicator_rows": {
            "GET": {
                who: {
                    "units-active": "page",
                    "revived": "page",
                    "permits": "page",
                    "units-active?export=csv": "file",
                    "revived?export=xlsx": "404" if who == "anonymous" else "file",
                    "units-active?export=pdf": "404",
                    "no-such-indicator": "404",
                }
                for who in ROLES
            }
        },
        # The clusters a programme figure counted, those the person may see listed; a park
        # (clusters are not counted by park) and an unknown figure are not found.
        "cluster_rows": {
            "GET": _everyone(
                ("clusters-identified", "clusters-completed-in-period", "park", "units"),
                ("page", "page", "404", "404"),
            )
        },
        # One click to what each person answers for (``Scope.own_page``).
        "my_dashboard": {
            "GET": _table(
                ("-",),
                {
                    "national_admin": ("to:home",),
                    "officer_a": ("to:qom",),
                    "officer_b": ("to:tehran",),
                    "park_manager": ("to:park_p",),
                    "owner": ("to:e",),
                    "cluster_agent": ("to:clusters",),
                    "anonymous": ("login",),
                },
            )
            # Two grants: the first of what they answer for, the province they keep.
            | {TWO_GRANTS: {"-": "to:tehran"}}
        },
        "park_create": {"GET": PARK_CREATE_FORM, "POST": PARK_CREATE},
        "park_edit": {"GET": _as_get(PARK_EDIT), "POST": PARK_EDIT},
    }
)

CASES = [
    pytest.param(route, method, who, target, outcome, id=f"{route}-{method}-{who}-{target}")
    for route, methods in ACCESS.items()
    for method, table in methods.items()
    for who, row in table.items()
    for target, outcome in row.items()
]

SPECIALTY = "قطعات خودرو"


@pytest.fixture(autouse=True)
def fresh_figures(db):
    from indicators.catalogue import load_indicators

    load_indicators()
    cache.clear()
    sources.forget()
    yield
    cache.clear()
    sources.forget()


def _url(route: str, target: str, reference: Any) -> str:
    if route in ("indicator_rows", "cluster_rows"):
        key, _, extra = target.partition("?")
        if key == "park":
            return reverse(route, args=["clusters-identified"]) + f"?park={reference.park_p.pk}"
        return reverse(route, args=[key]) + "?province=IR-25" + (f"&{extra}" if extra else "")
    if route in ("province_detail", "province_report"):
        return reverse(route, args=[target])
    if route in ("park_detail", "park_edit"):
        return reverse(route, args=[getattr(reference, target).pk])
    return reverse(route)


def _new_park_data(province: Any, name: str) -> dict[str, str]:
    return {
        "name": name,
        "province": str(province.pk),
        "kind": "park",
        "ownership": "state",
        "is_active": "on",
        "plots_total": "۱۲۰",
        "plots_allocated": "۴۰",
        "established_on": "۱۳۹۸/۰۶/۱۵",
    }


@pytest.mark.parametrize(("route", "method", "who", "target", "outcome"), CASES)
def test_every_role_gets_what_the_policy_table_says_on_every_figures_and_park_page(
    route, method, who, target, outcome, user_of, client_for, registry, reference
) -> None:
    user = user_of(who)
    client = client_for(user)
    url = _url(route, target, reference)
    park = getattr(reference, target, None) if target in PARKS else None
    data: dict[str, str] = {}
    if route == "park_create" and method == "POST":
        data = _new_park_data(getattr(reference, target), f"شهرک نوآوری {target}")
    elif route == "park_edit":
        data = park_post_data(park, specialty=SPECIALTY)
    before = registry_state()

    response = client.get(url) if method == "GET" else client.post(url, data)

    got = f"{who} {method} {url} → {response.status_code} {response.get('Location', '')}"
    if outcome == "done":
        assert response.status_code == 302, f"expected it saved, got {got}"
        assert response["Location"] == park.get_absolute_url()
        assert reload(park).specialty == SPECIALTY
        assert history_of(park).filter(action="update", actor=user).exists()
        return
    if outcome == "created":
        assert response.status_code == 302, f"expected it registered, got {got}"
        created = Park.objects.get(name=data["name"])
        assert response["Location"] == created.get_absolute_url()
        assert created.province == getattr(reference, target)
        assert (created.plots_total, created.plots_allocated) == (120, 40)
        assert history_of(created).filter(action="create", actor=user).exists()
        assert client.get(response["Location"]).status_code == 200
        return
    if outcome == "file":
        assert response.status_code == 200, got
        assert "attachment" in response["Content-Disposition"]
    elif outcome == "page":
        assert response.status_code == 200, got
        assert '<html lang="fa" dir="rtl">' in page(response)
        if park is not None:
            assert park.name in page(response)
    elif outcome == "refused":
        assert response.status_code == 200, f"expected the form refused, got {got}"
        assert "province" in field_errors(response)
    elif outcome == "404":
        assert response.status_code == 404, got
        if park is not None:
            assert park.name not in page(response)
    elif outcome == "login":
        assert is_login_redirect(response, url), got
    elif outcome.startswith("to:"):
        where = outcome[3:]
        expected = {
            "home": reverse("home"),
            "clusters": reverse("cluster_directory"),
            "e": registry.e.get_absolute_url(),
        }.get(where) or getattr(reference, where).get_absolute_url()
        assert (response.status_code, response["Location"]) == (302, expected), got
        assert client.get(expected).status_code == 200
    else:  # pragma: no cover
        raise AssertionError(f"unknown outcome {outcome!r}")
    assert registry_state() == before


# --- the park forms -------------------------------------------------------------------------


def test_a_park_manager_keeps_their_parks_land_but_not_where_it_belongs(
    park_manager, client_for, reference
) -> None:
    park = reference.park_p
    client = client_for(park_manager)
    url = reverse("park_edit", args=[park.pk])
    assert 'name="province"' not in page(client.get(url))

    response = client.post(
        url, park_post_data(park, province=reference.tehran, plots_total="500", plots_allocated="0")
    )

    assert response.status_code == 302
    fresh = reload(park)
    assert fresh.province == reference.qom
    assert fresh.plots_total == 500


def test_an_officer_cannot_hand_a_park_to_another_province(
    officer_a, client_for, reference
) -> None:
    park = reference.park_p2
    before = registry_state()

    response = client_for(officer_a).post(
        reverse("park_edit", args=[park.pk]), park_post_data(park, province=reference.tehran)
    )

    assert response.status_code == 200
    assert "province" in field_errors(response)
    assert registry_state() == before


@pytest.mark.parametrize(("total", "allocated"), [("10", "11"), ("۱۰", "۱۱")])
def test_more_plots_allocated_than_the_park_has_is_refused(
    total, allocated, officer_a, client_for, reference
) -> None:
    park = reference.park_p
    before = registry_state()

    response = client_for(officer_a).post(
        reverse("park_edit", args=[park.pk]),
        park_post_data(park, plots_total=total, plots_allocated=allocated),
    )

    assert response.status_code == 200
    assert "plots_allocated" in field_errors(response)
    assert registry_state() == before


def test_a_park_whose_name_is_taken_in_the_province_is_refused(
    officer_a, client_for, reference
) -> None:
    before = registry_state()
    data = _new_park_data(reference.qom, "شكوهيه")  # park P, typed with Arabic letters

    response = client_for(officer_a).post(reverse("park_create"), data)

    assert response.status_code == 200
    assert "name" in field_errors(response)
    assert registry_state() == before


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("national_admin", True),
        ("officer_a", True),
        ("park_manager", True),
        ("officer_b", False),
        ("owner", False),
        ("anonymous", False),
    ],
)
def test_the_edit_button_on_a_park_page_is_shown_to_those_who_keep_the_park(
    who, sees, user_of, client_for, registry, reference
) -> None:
    park = reference.park_p
    html = page(client_for(user_of(who)).get(park.get_absolute_url()))

    assert (reverse("park_edit", args=[park.pk]) in html) is sees


def test_a_province_that_does_not_exist_is_not_found(anonymous, client_for, reference) -> None:
    assert client_for(anonymous).get("/provinces/IR-99/").status_code == 404


# --- the list of parks ------------------------------------------------------------------------

_PARK_ROW = re.compile(r'<tr><td><a href="/parks/(\d+)/">')


def parks_listed(client, **params: str) -> set[int]:
    response = client.get(reverse("park_list"), params)
    assert response.status_code == 200
    return {int(pk) for pk in _PARK_ROW.findall(page(response))}


def test_filtering_parks_by_province(anonymous, client_for, reference) -> None:
    found = parks_listed(client_for(anonymous), province="IR-25")

    assert found == set(Park.objects.filter(province=reference.qom).values_list("pk", flat=True))
    assert {reference.park_p.pk, reference.park_p2.pk} <= found


@pytest.mark.parametrize(
    ("param", "value"), [("kind", "zone"), ("kind", "park"), ("ownership", "private")]
)
def test_filtering_parks_by_kind_and_ownership(param, value, anonymous, client_for, reference):
    found = parks_listed(client_for(anonymous), **{param: value})

    assert found
    assert set(Park.objects.filter(pk__in=found).values_list(param, flat=True)) == {value}


@pytest.mark.parametrize("typed", ["شکوهیه", "شكوهيه", "شکـوهیه"])
def test_searching_parks_by_name_however_it_is_typed(typed, anonymous, client_for, reference):
    assert parks_listed(client_for(anonymous), q=typed) == {reference.park_p.pk}


def test_an_unknown_kind_or_ownership_is_ignored(anonymous, client_for, reference) -> None:
    client = client_for(anonymous)

    assert parks_listed(client, province="IR-25", kind="castle", ownership="x") == parks_listed(
        client, province="IR-25"
    )


@pytest.mark.parametrize(
    "url",
    ["/parks/?q=%00", "/parks/?province=IR-25%00", "/provinces/IR-25%00/"],
    ids=["NUL in the park search", "NUL in the park province", "NUL in a province code"],
)
def test_a_crafted_value_on_the_figures_pages_is_not_a_server_error(
    url, anonymous, client_for, reference
) -> None:
    """Known bug on PostgreSQL, which refuses NUL characters in text (a 500 today)."""
    assert client_for(anonymous).get(url).status_code in (200, 404)


# --- language ----------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["home", "province_list", "park_list"])
def test_the_persian_ui_is_right_to_left_and_the_english_one_left_to_right(
    route, anonymous, client_for, registry
) -> None:
    client = client_for(anonymous)
    assert '<html lang="fa" dir="rtl">' in page(client.get(reverse(route)))

    client.cookies["django_language"] = "en"

    assert '<html lang="en" dir="ltr">' in page(client.get(reverse(route)))


def test_choosing_english_from_the_menu_switches_the_pages(anonymous, client_for, registry):
    from indicators.facts import rebuild

    rebuild()
    client = client_for(anonymous)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/provinces/"})

    assert response.status_code == 302
    html = page(client.get(reverse("home")))
    assert '<html lang="en" dir="ltr">' in html
    assert re.search(r'data-testid="card-units">6</a>', html)  # Latin digits in English


def test_the_menu_offers_my_dashboard_to_everyone_who_answers_for_a_place(
    officer_a, park_manager, national_admin, anonymous, client_for, reference
) -> None:
    def offers(user: Any) -> bool:
        return 'data-testid="nav-mine"' in page(client_for(user).get(reverse("province_list")))

    assert offers(officer_a) and offers(park_manager)
    assert not offers(national_admin)  # the country page is theirs already
    assert not offers(anonymous)


@pytest.mark.parametrize("typed", ["9999/12/30", "99999/01/01", "0000/01/01"])
@pytest.mark.parametrize(
    "url",
    ["/", "/provinces/IR-25/", "park", "/stats/", "/indicators/units/rows/"],
)
def test_an_as_of_date_outside_the_calendars_range_is_explained_not_a_server_error(
    url, typed, anonymous, client_for, reference
) -> None:
    """Issue 18: a year past 9377 (past 9999 AD) was a 500."""
    if url == "park":
        url = reverse("park_detail", args=[reference.park_p.pk])
    client = client_for(anonymous)
    client.cookies["django_language"] = "en"

    response = client.get(url, {"as_of": typed})

    assert response.status_code == 200
    assert "showing today" in page(response)


def test_the_park_lists_page_links_lead_to_the_next_page_keeping_the_filters(
    reference, client
) -> None:
    import html as html_lib

    from tests.factories import make_park

    for n in range(51):
        make_park(name=f"شهرک {n:02d}", province=reference.qom)
    html = page(client.get(reverse("park_list"), {"province": "IR-25"}))

    (link,) = re.findall(r'class="page-link" href="([^"]+)">[^<]*</a>', html)
    assert link.startswith("?") and not link.startswith("??")
    assert "province=IR-25" in link and "page=2" in link
    second = page(client.get(reverse("park_list") + html_lib.unescape(link)))

    def listed(text: str) -> set[str]:
        body = text[text.index("<tbody>") : text.index("</tbody>")]
        return set(re.findall(r'<a href="/parks/\d+/">([^<]+)</a>', body))

    first, then = listed(html), listed(second)
    assert len(first) == 50 and then and not first & then  # page 2: the other parks of Qom
