"""Dashboards (country, province, park), the catalogue of indicators, public statistics,
the rows behind a past figure, and the list of parks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    When,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.scope import Scope
from accounts.throttle import asks_download, throttled
from cases.models import Case as CaseModel
from clinics import casetype as clinic_casetype
from clinics import figures as clinic_figures
from clinics.models import Cause
from clusters.models import Cluster
from enterprises.access import RULES as ENTERPRISE_RULES
from enterprises.models import Enterprise, LocationEvent, SizeBand, Status, StatusEvent
from enterprises.selectors import with_progress_then
from exports.responses import export_response, pdf_response
from exports.tables import Column, Table
from finance import figures as finance_figures
from finance import market as listing_type
from finance.models import Bank, Instrument, Market
from finance.selectors import listings_visible, referrals_visible
from persian import jalali
from persian.jalali import MONTH_NAMES
from persian.templatetags.persian import num
from persian.text import search_terms, to_latin_digits
from places.models import Park, Province
from sectors.models import IndustryGroup

from . import clusters as cluster_figures
from . import figures, parkdims, selectors
from . import rows as rows_module
from .forms import TargetsForm, province_field
from .models import BREAKDOWNS, TARGET_YEARS, Indicator, Target
from .pagecache import figures_page
from .services import targets_set
from .sources import COUNTRY, Place, memo, park_totals, province_by_code

HEADLINES = (
    "units",
    "units-active",
    "units-idle",
    "jobs",
    "share-sme-units",
    "share-sme-jobs",
    "units-in-parks",
    "revived",
    "permits",
    "semi-finished",
    "parks",
)
# The cluster programme's figures, in a group of their own under the registry's.
CLUSTER_HEADLINES = (
    "clusters-identified",
    "clusters-in-development",
    "clusters-completed",
    "clusters-completed-in-period",
)
# The business clinics' figures, in a group of their own; "revived with the clinic" shows
# all revivals (the registry's "revived") beside it.
CLINIC_HEADLINES = (
    "clinic-candidates",
    "clinic-open",
    "clinic-diagnosed",
    "clinic-revived",
    "clinic-jobs",
    "clinic-held-6",
    "clinic-held-12",
    "clinic-days",
)
# The finance instruments' figures, in a group of their own.
FINANCE_HEADLINES = (
    "finance-referrals",
    "finance-approved",
    "finance-approval-rate",
    "finance-days-waiting",
    "finance-paid",
    "finance-paid-amount",
    "finance-pipeline",
    "finance-admitted",
)


def _indicator(request: HttpRequest, default: str, public_only: bool = False) -> Indicator:
    key = request.GET.get("indicator", "").replace("\x00", "")
    return (
        selectors.indicator(key, public_only)
        or selectors.indicator(default, public_only)
        or next(iter(selectors.indicators_for(Place("c"), public_only)), None)  # type: ignore[return-value]
    )


def _without_indicators(request: HttpRequest, heading: str) -> HttpResponse | None:
    """The page without its figures when no indicator is loaded yet (a fresh deployment
    before ``manage.py load_indicators``); national staff are told the command. None when
    the catalogue has indicators."""
    if Indicator.objects.exists():
        return None
    context = {"heading": heading, "show_command": Scope.of(request.user).national}
    return render(request, "indicators/no_indicators.html", context)


def _headline(
    place: Place, as_of: dt.date, province: Province | None, public_only: bool = False
) -> list[selectors.Card]:
    available = {i.key: i for i in selectors.indicators_for(place, public_only)}
    chosen = [
        available[k]
        for k in HEADLINES + CLUSTER_HEADLINES + CLINIC_HEADLINES + FINANCE_HEADLINES
        if k in available
    ]
    cards = selectors.cards(
        chosen, place, as_of, province.pk if province else None, province.code if province else ""
    )
    by_key = {c.indicator.key: c for c in cards}
    if "clinic-revived" in by_key and "revived" in by_key:
        by_key["clinic-revived"].beside = by_key["revived"]
    return cards


# The pages' tables (breakdowns, ranking, map) are kept per figures version like the figures
# they show, links included (the same for every viewer; today's date is in the key because
# a link for today's figures differs from one for a past date's).
def _breakdowns(place: Place, as_of: dt.date, province_code: str = "") -> dict[str, Any]:
    return memo(
        ("breakdowns", place, as_of, province_code, selectors.today()),  # type: ignore[no-any-return]
        lambda: _compute_breakdowns(place, as_of, province_code),
    )


def _compute_breakdowns(place: Place, as_of: dt.date, province_code: str) -> dict[str, Any]:
    operating = selectors.indicator("units-operating")
    if operating is None:
        return {}
    groups = selectors.breakdown(operating, place, as_of, "group")
    sizes = selectors.breakdown(operating, place, as_of, "size")
    statuses_indicator = selectors.indicator("units")
    statuses = (
        selectors.breakdown(statuses_indicator, place, as_of, "status")
        if statuses_indicator
        else {}
    )

    def link(indicator: Indicator | None, **narrow: str) -> str:
        if indicator is None:
            return ""
        return selectors.rows_link(indicator, place, as_of, province_code, **narrow)

    all_groups = memo(("industry-groups",), lambda: list(IndustryGroup.objects.all()))
    return {
        **_park_dims(place, as_of, province_code),
        "by_status": [
            (label, statuses.get(value, 0), link(statuses_indicator, status=value))
            for value, label in Status.choices
        ],
        "by_group": [
            (g, groups.get(str(g.pk), 0), link(operating, group=g.key))  # named when shown
            for g in all_groups
        ],
        "by_size": [
            (label, sizes.get(value, 0), link(operating, size=value))
            for value, label in SizeBand.choices
        ],
    }


def _park_group_label(kind: str, ownership: str) -> str:
    return {
        ("park", "state"): _("State-run industrial parks"),
        ("park", "private"): _("Private industrial parks"),
        ("zone", "state"): _("State-run industrial zones"),
        ("zone", "private"): _("Private industrial zones"),
        parkdims.OUTSIDE: _("Outside parks and zones"),
    }.get((kind, ownership), f"{kind} {ownership}")


def _park_dims(place: Place, as_of: dt.date, province_code: str) -> dict[str, Any]:
    """Units by status and jobs by park kind × ownership (and outside parks) at the country
    or a province, each number linking to its rows (``parkdims``); {} at a park or without
    the figures ``units`` and ``jobs``."""
    units, jobs = selectors.indicator("units"), selectors.indicator("jobs")
    if place.level not in ("c", "p") or units is None or jobs is None:
        return {}
    found = parkdims.cells(place, as_of)
    jobs_statuses = set(jobs.filters.get("status") or []) or None

    def line(label: str, kind: str, ownership: str) -> dict[str, Any]:
        narrow = {"park_kind": kind, "ownership": ownership} if kind else {}
        narrow = {k: v for k, v in narrow.items() if v}

        def link(indicator: Indicator, **more: str) -> str:
            return selectors.rows_link(indicator, place, as_of, province_code, **narrow, **more)

        return {
            "label": label,
            "statuses": [
                (parkdims.value(found, kind, ownership, {value}), link(units, status=value))
                for value, _label in Status.choices
            ],
            "units": (parkdims.value(found, kind, ownership, None), link(units)),
            "jobs": (
                parkdims.value(found, kind, ownership, jobs_statuses, "jobs"),
                link(jobs),
            ),
        }

    lines = [line(_park_group_label(k, o), k, o) for k, o in (*parkdims.GROUPS, parkdims.OUTSIDE)]
    return {
        "park_dims": {
            "statuses": [str(label) for _value, label in Status.choices],
            "lines": lines,
            "total": line(_("All units"), "", ""),
            "public": units.is_public and jobs.is_public,
            "parks_page": reverse("park_counts")
            + "?"
            + urlencode({"as_of": selectors.format_date(as_of, persian_digits=False)}),
            "page": reverse("park_kind_units")
            + "?"
            + urlencode(
                {
                    "as_of": selectors.format_date(as_of, persian_digits=False),
                    **({"province": province_code} if province_code else {}),
                }
            ),
        }
    }


def _shows_park_dims(context: dict[str, Any], user: Any) -> bool:
    """The park kind × ownership table is shown when its figures (``units``, ``jobs``) are
    public, or to a signed-in person (as ``_park_dims.html`` says)."""
    dims = context.get("park_dims")
    return dims is not None and bool(dims["public"] or user.is_authenticated)


def _clinic_breakdowns(place: Place, as_of: dt.date, province_code: str = "") -> dict[str, Any]:
    """The clinics' open cases by stage and the causes of the year's diagnoses (primary and
    any, each with its share of the cases diagnosed), each number linking to its rows."""
    return memo(
        ("clinic-breakdowns", place, as_of, province_code, selectors.today()),  # type: ignore[no-any-return]
        lambda: _compute_clinic_breakdowns(place, as_of, province_code),
    )


def _compute_clinic_breakdowns(place: Place, as_of: dt.date, province_code: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    opened = selectors.indicator("clinic-open")
    if opened is not None and "stage" in opened.breakdowns:
        stages = selectors.breakdown(opened, place, as_of, "stage")
        out["clinic_by_stage"] = [
            (
                label,
                stages.get(code, 0),
                selectors.rows_link(opened, place, as_of, province_code, stage=code),
            )
            for code, label in clinic_casetype.CLINIC.choices()
            if code in clinic_casetype.CLINIC.open_stages
        ]
    diagnosed = selectors.indicator("clinic-diagnosed")
    if diagnosed is not None and {"cause", "cause_primary"} <= set(diagnosed.breakdowns):
        total = selectors.value_of(diagnosed, place, as_of) or 0
        primary = selectors.breakdown(diagnosed, place, as_of, "cause_primary")
        any_cause = selectors.breakdown(diagnosed, place, as_of, "cause")

        def share(n: Any) -> Decimal | None:
            return (Decimal(n) * 100 / Decimal(total)).quantize(Decimal("0.1")) if total else None

        def link(dim: str, cause: str) -> str:
            return selectors.rows_link(diagnosed, place, as_of, province_code, **{dim: cause})

        rows = [
            {
                "label": label,
                "primary": primary.get(cause, 0),
                "primary_share": share(primary.get(cause, 0)),
                "primary_link": link("cause_primary", cause),
                "any": any_cause.get(cause, 0),
                "any_share": share(any_cause.get(cause, 0)),
                "any_link": link("cause", cause),
            }
            for cause, label in Cause.choices
        ]
        rows.sort(key=lambda r: (-int(r["primary"]), -int(r["any"])))  # type: ignore[arg-type]
        out["clinic_causes"] = rows
        out["clinic_diagnosed"] = total
        out["clinic_diagnosed_link"] = selectors.rows_link(diagnosed, place, as_of, province_code)
    return out


def _finance_breakdowns(place: Place, as_of: dt.date, province_code: str = "") -> dict[str, Any]:
    """The year's referrals by instrument and by bank (introduced, approved, the approval
    rate, the amount granted, the median days waiting) and the capital-market files by
    stage, each number linking to its rows."""
    return memo(
        ("finance-breakdowns", place, as_of, province_code, selectors.today()),  # type: ignore[no-any-return]
        lambda: _compute_finance_breakdowns(place, as_of, province_code),
    )


def _compute_finance_breakdowns(place: Place, as_of: dt.date, province_code: str) -> dict[str, Any]:
    keys = ("referrals", "approved", "decided", "granted", "days-waiting")
    found_indicators = {k: selectors.indicator(f"finance-{k}") for k in keys}
    chosen = {k: i for k, i in found_indicators.items() if i is not None}
    out: dict[str, Any] = {}
    if len(chosen) == len(keys):
        for dim, labels in (
            ("instrument", dict(Instrument.choices)),
            ("bank", {str(pk): name for pk, name in Bank.objects.values_list("pk", "name")}),
        ):
            found = {k: selectors.breakdown(chosen[k], place, as_of, dim) for k in keys}

            def link(key: str, value: str, dim: str = dim) -> str:
                return selectors.rows_link(chosen[key], place, as_of, province_code, **{dim: value})

            rows: list[dict[str, Any]] = []
            for value, label in labels.items():
                referrals = int(found["referrals"].get(value) or 0)
                decided = int(found["decided"].get(value) or 0)
                approved = int(found["approved"].get(value) or 0)
                if not (referrals or decided):
                    continue
                rows.append(
                    {
                        "label": label,
                        "referrals": referrals,
                        "referrals_link": link("referrals", value),
                        "approved": approved,
                        "approved_link": link("approved", value),
                        "rate": (Decimal(approved) * 100 / decided).quantize(Decimal("0.1"))
                        if decided
                        else None,
                        "granted": found["granted"].get(value, 0),
                        "days": found["days-waiting"].get(value),
                    }
                )
            rows.sort(key=lambda r: -int(r["referrals"]))
            out[f"finance_by_{dim}"] = rows
    pipeline = selectors.indicator("finance-pipeline")
    if pipeline is not None:
        stages = selectors.breakdown(pipeline, place, as_of, "stage")
        out["finance_pipeline"] = [
            (
                label,
                stages.get(code, 0),
                selectors.rows_link(pipeline, place, as_of, province_code, stage=code),
            )
            for code, label in listing_type.LISTING.choices()
        ]
    return out


def _ranking(indicator: Indicator, as_of: dt.date) -> list[dict[str, Any]]:
    return memo(
        ("ranking", indicator.pk, as_of, selectors.today()),  # type: ignore[no-any-return]
        lambda: _compute_ranking(indicator, as_of),
    )


def _compute_ranking(indicator: Indicator, as_of: dt.date) -> list[dict[str, Any]]:
    values = selectors.by_province(indicator, as_of)
    rows = [
        {
            "province": p,
            "value": values.get(p.pk, 0 if indicator.kind != "ratio" else None),
            "url": p.get_absolute_url(),
            "link": selectors.rows_link(indicator, Place("p", p.pk), as_of, p.code),
        }
        for p in Province.objects.all()
    ]
    rows.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0)))  # type: ignore[operator]
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def _map(indicator: Indicator, ranking: list[dict[str, Any]], as_of: dt.date) -> dict[str, Any]:
    kept = memo(
        ("map", indicator.pk, as_of, selectors.today()),
        lambda: _compute_map(indicator, ranking, as_of),
    )
    # Kept once for every language; the label is added in the page's own.
    return {**kept, "label": indicator.display_name}


def _compute_map(
    indicator: Indicator, ranking: list[dict[str, Any]], as_of: dt.date
) -> dict[str, Any]:
    query = (
        ""
        if as_of == selectors.today()
        else "?as_of=" + selectors.format_date(as_of, persian_digits=False)
    )
    return {
        "values": {
            r["province"].code: float(r["value"]) if r["value"] is not None else None
            for r in ranking
        },
        "links": {
            r["province"].code: reverse("province_detail", args=[r["province"].code]) + query
            for r in ranking
        },
    }


# --- downloads (``?export=xlsx|csv``, the report's ``?export=pdf``) ---------------------------


def _source_url(request: HttpRequest) -> str:
    """The page's URL (every filter kept) without ``export``: where the numbers come from."""
    params = request.GET.copy()
    params.pop("export", None)
    return request.path + ("?" + params.urlencode() if params else "")


def _page_tables(
    request: HttpRequest, context: dict[str, Any], slug: str, place: Place | None = None
) -> list[Table]:
    """The tables a dashboard shows, read from the context the page renders (so a download
    holds exactly the page's figures and scope): headline cards, ranking, the monthly
    series of the chosen indicator (at ``place``), the three breakdowns and the parks."""
    as_of: dt.date = context["as_of"]
    moment = timezone.make_aware(dt.datetime.combine(as_of, dt.time(23, 59)))
    source_url = _source_url(request)
    chosen: Indicator | None = context.get("chosen")
    tables: list[Table] = []

    def table(
        title: str,
        columns: list[Column],
        rows: list[dict[str, Any]],
        name: str,
        filters: list[tuple[str, str]] | None = None,
    ) -> None:
        tables.append(
            Table(
                title=title,
                columns=columns,
                rows=rows,
                filename=f"{slug}-{name}",
                as_of=moment,
                filters=filters or [],
                source_url=source_url,
            )
        )

    if "cards" in context:
        cards: list[selectors.Card] = context["cards"]
        table(
            _("Headline figures"),
            [
                Column("indicator", _("Indicator")),
                Column("value", _("Value"), "decimal"),
                Column("unit", _("Unit")),
                Column("target", _("Target"), "decimal"),
                Column("progress", _("Progress"), "percent"),
                Column("gap", _("Gap"), "decimal"),
                Column("definition", _("Definition")),
            ],
            [
                {
                    "indicator": c.indicator.name,
                    "value": c.value,
                    "unit": c.indicator.unit,
                    "target": c.target,
                    "progress": None if c.progress is None else c.progress / 100,
                    "gap": c.gap,
                    "definition": c.indicator.stated_definition,
                }
                for c in cards
            ],
            "headline",
        )
    if chosen is not None and "ranking" in context:
        table(
            _("Provinces ranked"),
            [
                Column("rank", _("Rank"), "int"),
                Column("province", _("Province")),
                Column("value", chosen.name, "decimal"),
            ],
            [
                {"rank": r["rank"], "province": str(r["province"]), "value": r["value"]}
                for r in context["ranking"]
            ],
            "ranking",
            [(_("Indicator"), chosen.name)],
        )
    if chosen is not None and place is not None and "series" in context:
        points = selectors.monthly(chosen, place, as_of)[-24:]  # as selectors.chart_series
        table(
            f"{chosen.name} — {_('by Jalali month')}",
            [
                Column("year", _("Year"), "int"),
                Column("month", _("Month")),
                Column("value", chosen.name, "int"),
            ],
            [{"year": m // 12, "month": MONTH_NAMES[m % 12], "value": int(v)} for m, v in points],
            "monthly",
            [(_("Indicator"), chosen.name)],
        )
    for key, title, label, name in (
        ("by_status", _("Units by status"), _("Status"), "by-status"),
        ("by_group", _("Operating units by industry group"), _("Industry group"), "by-group"),
        ("by_size", _("Operating units by size"), _("Size"), "by-size"),
    ):
        if key in context:
            table(
                title,
                [Column("label", label), Column("units", _("Units"), "int")],
                [{"label": str(lab), "units": n} for lab, n, _link in context[key]],
                name,
            )
    if _shows_park_dims(context, request.user):
        dims = context["park_dims"]
        statuses = list(Status.choices)
        table(
            _("Units and jobs by park kind and ownership"),
            [
                Column("label", _("Where the units stood")),
                *[Column(value, str(label), "int") for value, label in statuses],
                Column("units", _("All units"), "int"),
                Column("jobs", _("Jobs"), "int"),
            ],
            [
                {
                    "label": line["label"],
                    **{
                        v: n for (v, _l), (n, _link) in zip(statuses, line["statuses"], strict=True)
                    },
                    "units": line["units"][0],
                    "jobs": line["jobs"][0],
                }
                for line in [*dims["lines"], dims["total"]]
            ],
            "by-park-kind",
        )
    if "clinic_by_stage" in context:
        table(
            _("Open clinic cases by stage"),
            [Column("label", _("Stage")), Column("cases", _("Cases"), "int")],
            [{"label": str(lab), "cases": n} for lab, n, _link in context["clinic_by_stage"]],
            "clinic-stages",
        )
    if "clinic_causes" in context:
        table(
            _("Causes found in the year's diagnoses"),
            [
                Column("label", _("Cause")),
                Column("primary", _("Primary cause"), "int"),
                Column("primary_share", _("Share"), "percent"),
                Column("any", _("Among the causes"), "int"),
                Column("any_share", _("Share"), "percent"),
            ],
            [
                {
                    "label": str(r["label"]),
                    "primary": r["primary"],
                    "primary_share": None
                    if r["primary_share"] is None
                    else r["primary_share"] / 100,
                    "any": r["any"],
                    "any_share": None if r["any_share"] is None else r["any_share"] / 100,
                }
                for r in context["clinic_causes"]
            ],
            "clinic-causes",
        )
    if "parks" in context:
        table(
            _("Parks and zones"),
            [
                Column("name", _("Name")),
                Column("kind", _("Kind")),
                Column("ownership", _("Ownership")),
                Column("units", _("Units"), "int"),
                Column("active", _("Active"), "int"),
            ],
            [
                {
                    "name": p.name,
                    "kind": p.get_kind_display(),
                    "ownership": p.get_ownership_display(),
                    "units": p.units,
                    "active": p.active_units,
                }
                for p in context["parks"]
            ],
            "parks",
        )
    return tables


def _export(
    request: HttpRequest, context: dict[str, Any], slug: str, place: Place | None = None
) -> HttpResponseBase | None:
    """The page's tables as a download when ``?export=`` asks for one (unknown format: 404)."""
    fmt = request.GET.get("export")
    if not fmt:
        return None
    return export_response(_page_tables(request, context, slug, place), fmt)


def own_page(scope: Scope) -> tuple[str, int]:
    """What a person answers for and opens first: ("province", id) for a provincial officer,
    ("park", id) for a park manager (the first of their parks), ("enterprise", id) for an
    owner (their first unit), ("clusters", 0) for a cluster agent, ("", 0) for the national
    view (and anyone else). With several grants, the first of these that applies."""
    if scope.national:
        return "", 0
    for role, kind in (
        (Role.PROVINCIAL_OFFICER, "province"),
        (Role.PARK_MANAGER, "park"),
        (Role.ENTERPRISE_OWNER, "enterprise"),
    ):
        if places := scope.places(role):
            return kind, min(places)
    if scope.holds(Role.CLUSTER_AGENT):
        return "clusters", 0
    return "", 0


@login_required
def my_dashboard(request: HttpRequest) -> HttpResponseBase:
    """The page of what this person answers for (``own_page``): a provincial officer's
    province, a park manager's park, an owner's unit, a cluster agent's clusters; the
    country for the national office."""
    kind, pk = own_page(Scope.of(request.user))
    if kind == "province":
        return redirect(get_object_or_404(Province, pk=pk).get_absolute_url())
    if kind == "park":
        return redirect("park_detail", pk)
    if kind == "enterprise":
        return redirect("enterprise_detail", pk)
    if kind == "clusters":
        return redirect("cluster_directory")
    return redirect("home")


@throttled("exports", when=asks_download)
@figures_page()
def home(request: HttpRequest) -> HttpResponseBase:
    if empty := _without_indicators(request, _("Country at a glance")):
        return empty
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    place = selectors.country()
    chosen = _indicator(request, "units-active")
    ranking = _ranking(chosen, as_of)
    context = {
        "as_of": as_of,
        "as_of_error": as_of_error,
        "cards": _headline(place, as_of, None),
        "chosen": chosen,
        "choices": selectors.indicators_for(Place("p", 0)),
        "ranking": ranking,
        "map_data": _map(chosen, ranking, as_of),
        "series": selectors.chart_series(chosen, place, as_of),
        **_breakdowns(place, as_of),
        **_clinic_breakdowns(place, as_of),
        **_finance_breakdowns(place, as_of),
    }
    if download := _export(request, context, "country", place):
        return download
    return render(request, "indicators/home.html", context)


@throttled("exports", when=asks_download)
@figures_page()
def province_list(request: HttpRequest) -> HttpResponseBase:
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    chosen = _indicator(request, "units-active")
    context = {
        "as_of": as_of,
        "as_of_error": as_of_error,
        "chosen": chosen,
        "choices": selectors.indicators_for(Place("p", 0)),
        "ranking": _ranking(chosen, as_of),
    }
    if download := _export(request, context, "provinces"):
        return download
    return render(request, "indicators/province_list.html", context)


def _province_place(code: str) -> Place | None:
    """The province page's place (for ``figures_page``), None for an unknown code."""
    pk = province_by_code(code)
    return None if pk is None else Place("p", pk)


@throttled("exports", when=asks_download)
@figures_page(place=lambda code: _province_place(code))
def province_detail(request: HttpRequest, code: str) -> HttpResponseBase:
    if "\x00" in code:
        raise Http404
    province = get_object_or_404(Province, code=code.upper())
    if empty := _without_indicators(request, _("Province of %(name)s") % {"name": province}):
        return empty
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    place = Place("p", province.pk)
    chosen = _indicator(request, "units-active")
    parks = _parks_with_totals(province, as_of)
    scope = Scope.of(request.user)
    context = {
        "province": province,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "cards": _headline(place, as_of, province),
        "chosen": chosen,
        "choices": selectors.indicators_for(place),
        "series": selectors.chart_series(chosen, place, as_of),
        "parks": parks,
        "parks_shown": f":{PARKS_ON_PROVINCE_PAGE}",
        "parks_shown_count": PARKS_ON_PROVINCE_PAGE,
        "scope": scope,
        "can_create_park": scope.can("places.create", province.pk),
        **_breakdowns(place, as_of, province.code),
        **_clinic_breakdowns(place, as_of, province.code),
        **_finance_breakdowns(place, as_of, province.code),
    }
    if download := _export(request, context, f"province-{province.code}", place):
        return download
    return render(request, "indicators/province_detail.html", context)


# The province page lists this many parks (the largest); the rest are one click away.
PARKS_ON_PROVINCE_PAGE = 15


def _parks_with_totals(province: Province, as_of: dt.date) -> list[Park]:
    """The province's parks and zones with their units and active units as of ``as_of``,
    the largest first (kept per figures version: a park's edit starts a new one)."""
    return memo(
        ("province-parks", province.pk, as_of),  # type: ignore[no-any-return]
        lambda: _count_parks(province, as_of),
    )


def _count_parks(province: Province, as_of: dt.date) -> list[Park]:
    parks = list(Park.objects.filter(province=province).order_by("sort_key", "id"))
    counts = park_totals([p.pk for p in parks], as_of)
    for park in parks:
        park.units = sum(counts[park.pk].values())  # type: ignore[attr-defined]
        park.active_units = counts[park.pk].get(Status.ACTIVE, 0)  # type: ignore[attr-defined]
    parks.sort(key=lambda p: -p.units)  # type: ignore[attr-defined]
    return parks


@throttled("exports", when=asks_download)
@figures_page(
    anyone=lambda request: request.GET.get("export") == "pdf",
    place=lambda code: _province_place(code),
)
def province_report(request: HttpRequest, code: str) -> HttpResponse:
    """The province's figures on paper: every indicator with its target, the breakdowns and
    the parks (print stylesheet; the browser prints it)."""
    if "\x00" in code:
        raise Http404
    province = get_object_or_404(Province, code=code.upper())
    if empty := _without_indicators(request, _("Province of %(name)s") % {"name": province}):
        return empty
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    place = Place("p", province.pk)
    indicators = selectors.indicators_for(place)
    parks = _parks_with_totals(province, as_of)
    context = {
        "province": province,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "cards": selectors.cards(indicators, place, as_of, province.pk, province.code),
        "parks": parks,
        **_breakdowns(place, as_of, province.code),
    }
    fmt = request.GET.get("export")
    if fmt == "pdf":
        title = _("Small industries and industrial parks: province of %(name)s") % {
            "name": province
        }
        tables = _page_tables(request, context, f"province-{province.code}-report")
        tables[0].title = _("Indicators")
        return pdf_response(
            request,
            "exports/pdf_base.html",
            {
                "title": title,
                "as_of": tables[0].as_of,
                "source_url": tables[0].source_url,
                "filters": [],
                "tables": tables,
            },
            f"province-{province.code}-report",
        )
    if fmt:
        raise Http404
    context["pdf_url"] = _pdf_url(request)
    return render(request, "indicators/province_report.html", context)


def _pdf_url(request: HttpRequest) -> str:
    params = request.GET.copy()
    params["export"] = "pdf"
    return request.path + "?" + params.urlencode()


def park_list(request: HttpRequest) -> HttpResponse:
    parks = Park.objects.all()

    def get(name: str) -> str:
        return request.GET.get(name, "").replace("\x00", "").strip()

    province, kind, ownership, q = get("province").upper(), get("kind"), get("ownership"), get("q")
    if province:
        parks = parks.filter(province__code=province)
    if kind in Park.Kind.values:
        parks = parks.filter(kind=kind)
    if ownership in Park.Ownership.values:
        parks = parks.filter(ownership=ownership)
    for term in search_terms(q):
        parks = parks.filter(name_key__contains=term)
    as_of, as_of_error = None, None
    if get("as_of"):  # the parks and zones that existed that day (``parkdims.parks_then``)
        as_of, as_of_error = selectors.parse_as_of(request.GET)
        parks = parks.filter(parkdims.existed_q(as_of))
    paginator = Paginator(figures.parks_with_counts(parks).order_by("sort_key", "id"), 50)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "provinces": Province.objects.all(),
        "kinds": Park.Kind.choices,
        "ownerships": Park.Ownership.choices,
        "filters": {"province": province, "kind": kind, "ownership": ownership, "q": q},
        "as_of": as_of,
        "as_of_error": as_of_error,
        "scope": Scope.of(request.user),
        "can_create_park": Scope.of(request.user).can("places.create"),
    }
    return render(request, "indicators/park_list.html", context)


@throttled("exports", when=asks_download)
@figures_page()
def park_kind_units(request: HttpRequest) -> HttpResponseBase:
    """Units by status and jobs by park kind × ownership (and outside parks) at the country
    or a province (``?province=``) as of a date: the table of the country's and province's
    pages on a page of its own, each number opening its rows; ``?export=csv|xlsx``."""
    code = request.GET.get("province", "").replace("\x00", "").strip().upper()
    province = get_object_or_404(Province, code=code) if code else None
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    place = Place("p", province.pk) if province else Place("c")
    context = {
        "province": province,
        "provinces": Province.objects.all(),
        "as_of": as_of,
        "as_of_error": as_of_error,
        **_park_dims(place, as_of, province.code if province else ""),
    }
    if not _shows_park_dims(context, request.user):
        raise Http404
    slug = f"park-kinds-{province.code}" if province else "park-kinds"
    if download := _export(request, context, slug):
        return download
    return render(request, "indicators/park_kind_units.html", context)


@throttled("exports", when=asks_download)
def park_counts(request: HttpRequest) -> HttpResponseBase:
    """The parks and zones that existed on a date, per province by kind × ownership, each
    count linking to the list of those parks (the same date); with their names. Parks are
    public records: the same page for everyone. ``?export=csv|xlsx``: the counts and the
    names."""
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    counts = parkdims.counts_by_province(as_of)
    day = selectors.format_date(as_of, persian_digits=False)

    def link(province: str, kind: str, ownership: str) -> str:
        params = {"as_of": day, "kind": kind, "ownership": ownership, "province": province}
        return reverse("park_list") + "?" + urlencode({k: v for k, v in params.items() if v})

    groups = [(k, o, _park_group_label(k, o)) for k, o in parkdims.GROUPS]
    lines: list[dict[str, Any]] = [
        {
            "province": province,
            "cells": [
                (len(parks.get((k, o), [])), link(province.code, k, o), parks.get((k, o), []))
                for k, o, _label in groups
            ],
            "total": (sum(len(v) for v in parks.values()), link(province.code, "", "")),
        }
        for province, parks in counts
    ]
    totals: dict[str, Any] = {
        "cells": [
            (sum(line["cells"][i][0] for line in lines), link("", k, o), [])
            for i, (k, o, _label) in enumerate(groups)
        ],
        "total": (sum(line["total"][0] for line in lines), link("", "", "")),
    }
    context = {
        "as_of": as_of,
        "as_of_error": as_of_error,
        "groups": [label for _k, _o, label in groups],
        "lines": lines,
        "totals": totals,
    }
    if fmt := request.GET.get("export"):
        return export_response(_park_count_tables(request, context), fmt)
    return render(request, "indicators/park_counts.html", context)


def _park_count_tables(request: HttpRequest, context: dict[str, Any]) -> list[Table]:
    moment = timezone.make_aware(dt.datetime.combine(context["as_of"], dt.time(23, 59)))
    groups: list[str] = context["groups"]
    keys = [f"g{i}" for i in range(len(groups))]
    definition = [(_("Definition"), str(parkdims.PARKS_DEFINITION))]
    counts = Table(
        title=_("Parks and zones by province, kind and ownership"),
        columns=[
            Column("province", _("Province")),
            *[Column(key, label, "int") for key, label in zip(keys, groups, strict=True)],
            Column("total", _("All parks and zones"), "int"),
        ],
        rows=[
            {
                "province": str(line["province"]),
                **{k: c[0] for k, c in zip(keys, line["cells"], strict=True)},
                "total": line["total"][0],
            }
            for line in [*context["lines"], {"province": _("Country"), **context["totals"]}]
        ],
        filename="parks-by-province",
        as_of=moment,
        filters=definition,
        source_url=_source_url(request),
    )
    names = Table(
        title=_("Parks and zones"),
        columns=[
            Column("province", _("Province")),
            Column("group", _("Kind and ownership")),
            Column("name", _("Name")),
            Column("established", _("Established on"), "date"),
        ],
        rows=[
            {
                "province": str(line["province"]),
                "group": label,
                "name": park.name,
                "established": park.established_on,
            }
            for line in context["lines"]
            for label, cell in zip(groups, line["cells"], strict=True)
            for park in cell[2]
        ],
        filename="parks-by-province-names",
        as_of=moment,
        filters=definition,
        source_url=_source_url(request),
    )
    return [counts, names]


@throttled("exports", when=asks_download)
@figures_page(place=lambda pk: Place("k", pk))
def park_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    park = get_object_or_404(Park.objects.select_related("province"), pk=pk)
    if empty := _without_indicators(request, f"{park.get_kind_display()} {park.name}"):
        return empty
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    place = Place("k", park.pk)
    scope = Scope.of(request.user)
    chosen = _indicator(request, "units-active")
    context = {
        "park": park,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "cards": _headline(place, as_of, None),
        "chosen": chosen,
        "choices": selectors.indicators_for(place),
        "series": selectors.chart_series(chosen, place, as_of),
        "can_edit": Park.objects.filter(scope.full_q(Park), pk=pk).exists()
        if scope.authenticated
        else False,
        **_breakdowns(place, as_of),
        **_clinic_breakdowns(place, as_of),
        **_finance_breakdowns(place, as_of),
    }
    if download := _export(request, context, f"park-{park.pk}", place):
        return download
    return render(request, "indicators/park_detail.html", context)


def catalogue(request: HttpRequest) -> HttpResponse:
    indicators = Indicator.objects.select_related("numerator", "denominator")
    return render(request, "indicators/catalogue.html", {"indicators": indicators})


@throttled("exports", when=asks_download)
@figures_page()
def stats(request: HttpRequest) -> HttpResponseBase:
    """Public statistics: the public indicators, aggregated, nothing about any one unit."""
    if empty := _without_indicators(request, _("Public statistics")):
        return empty
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    chosen = _indicator(request, "units-active", public_only=True)
    place = selectors.country()
    context = {
        "as_of": as_of,
        "as_of_error": as_of_error,
        "cards": _headline(place, as_of, None, public_only=True),
        "chosen": chosen,
        "choices": selectors.indicators_for(Place("p", 0), public_only=True),
        "ranking": _ranking(chosen, as_of) if chosen else [],
    }
    if download := _export(request, context, "stats"):
        return download
    return render(request, "indicators/stats.html", context)


def _units_then(scope: Scope, as_of: dt.date) -> Any:
    """The units the person may see, annotated with their status, province and park at
    the end of ``as_of`` (``status_then``, ``province_then``, ``park_then``). A unit whose
    history the person may not see (``EnterpriseRules.history_q``: the public and anyone
    outside its full scope) is judged and shown by what it is today (``with_history``
    false), so the page never tells what it was on the date: a past status or place is
    history."""
    status_then = StatusEvent.objects.filter(enterprise=OuterRef("pk"), date__lte=as_of).order_by(
        "-date", "-id"
    )
    location_then = LocationEvent.objects.filter(
        enterprise=OuterRef("pk"), date__lte=as_of
    ).order_by("-date", "-id")
    history = ExpressionWrapper(ENTERPRISE_RULES.history_q(scope), output_field=BooleanField())
    return (
        Enterprise.objects.filter(scope.visible_q(Enterprise))
        .annotate(with_history=history)
        .annotate(
            status_then=Case(
                When(with_history=True, then=Subquery(status_then.values("to_status")[:1])),
                default=F("status"),
                output_field=CharField(),
            ),
            province_then=Case(
                When(with_history=True, then=Subquery(location_then.values("province_id")[:1])),
                default=F("province_id"),
                output_field=IntegerField(),
            ),
            park_then=Case(
                When(with_history=True, then=Subquery(location_then.values("park_id")[:1])),
                default=F("park_id"),
                output_field=IntegerField(),
            ),
        )
    )


@throttled("exports", when=asks_download)
@throttled("rows")
def indicator_rows(request: HttpRequest, key: str) -> HttpResponseBase:
    """The units a registry figure counted on a date: each unit's status and place that day,
    read from its history; only the rows the person may see (``Scope``). Keyset pages in
    name order (``?after=``/``?before=``), the figure read from the facts (``indicators.rows``).
    ``?export=csv|xlsx``: every row, with the definition, the date and the figure on top."""
    indicator = get_object_or_404(
        Indicator,
        key=key.replace("\x00", ""),
        source="registry",
        measure__in=["units", "jobs", *rows_module.FLOWS],
    )
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    scope = Scope.of(request.user)
    asked = rows_module.Asked()
    province = None
    code = request.GET.get("province", "").replace("\x00", "").strip().upper()
    if code:
        province = get_object_or_404(Province, code=code)
        asked.province_id = province.pk
    park_id = request.GET.get("park", "")
    park = None
    if park_id:
        if not (park_id.isascii() and park_id.isdecimal() and int(park_id) < 2**63):
            raise Http404
        asked.park_id = int(park_id)
        park = Park.objects.filter(pk=asked.park_id).first()
    if indicator.measure in rows_module.FLOWS:
        return _flow_rows(request, indicator, as_of, as_of_error, scope, asked, province, park)
    for name in ("status", "size", "group", "park_kind", "ownership"):
        setattr(asked, name, request.GET.get(name, "").replace("\x00", "").strip())
    if asked.park_kind not in ("", *parkdims.KINDS) or asked.ownership not in (
        "",
        *Park.Ownership.values,
    ):
        raise Http404  # a narrowing no page links to
    units = rows_module.counted(indicator, scope, as_of, asked)
    figure = rows_module.figure_of(indicator, as_of, asked)
    params = request.GET.copy()
    for name in ("after", "before", "page", "export"):
        params.pop(name, None)
    count_key = f"{indicator.pk}:{as_of}:{params.urlencode()}"
    if fmt := request.GET.get("export"):
        if fmt not in ("csv", "xlsx"):
            raise Http404
        return _rows_download(request, indicator, as_of, province, park, figure, units, fmt)
    page = rows_module.page_of(
        units,
        after=request.GET.get("after", "").strip(),
        before=request.GET.get("before", "").strip(),
    )
    count, capped = rows_module.count_of(indicator, scope, as_of, asked, figure, units, count_key)
    rows = rows_module.described(page.rows, as_of)
    some_without_history = any(not u.with_history for u in page.rows)  # type: ignore[attr-defined]
    context = {
        "rows": rows,
        "indicator": indicator,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "province": province,
        "park": park,
        "page": page,
        "figure": figure,
        "count": count,
        "capped": capped,
        "some_without_history": some_without_history,
        "narrowed": _rows_narrowing(request),
    }
    return render(request, "indicators/rows.html", context)


def _rows_narrowing(request: HttpRequest) -> list[tuple[str, str]]:
    """What a rows page narrows to beyond its place, as (label, value) to state on the page
    and in its download: status, size, park kind and ownership of the unit's park then."""
    kinds = {**dict(Park.Kind.choices), parkdims.OUTSIDE[0]: _("outside parks and zones")}
    out = []
    for name, label, shown in (
        ("status", _("Status"), dict(Status.choices)),
        ("size", _("Size"), dict(SizeBand.choices)),
        ("park_kind", _("Park or zone then"), kinds),
        ("ownership", _("Ownership of the park then"), dict(Park.Ownership.choices)),
    ):
        if value := request.GET.get(name, "").replace("\x00", "").strip():
            out.append((str(label), str(shown.get(value, value))))
    return out


def _flow_rows(
    request: HttpRequest,
    indicator: Indicator,
    as_of: dt.date,
    as_of_error: str | None,
    scope: Scope,
    asked: rows_module.Asked,
    province: Province | None,
    park: Park | None,
) -> HttpResponseBase:
    """The revivals (newest first, ``rows.revivals``) or operating permits (in name order,
    ``rows.permit_branches``) a flow figure counted, beside the figure; listed to those who see the units' history, each the units
    they keep (an event is history); the public gets the figure alone."""
    place = (
        Place("p", province.pk)
        if province
        else Place("k", asked.park_id)
        if asked.park_id is not None
        else Place("c")
    )
    figure = selectors.value_of(indicator, place, as_of)
    listed = scope.authenticated and bool(scope.national or scope.grants)
    permits = indicator.measure == "permits"
    found: Any = (
        rows_module.permit_branches(scope, as_of, asked)
        if permits
        else rows_module.revivals(scope, as_of, asked)
    )
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in ("csv", "xlsx") or not listed:
            raise Http404
        chunks = rows_module.permit_chunks(found) if permits else rows_module.flow_chunks(found)
        return _flow_download(request, indicator, as_of, province, park, figure, chunks, fmt)
    shown: list[rows_module.FlowRow] = []
    previous: dict[str, Any] = {}
    following: dict[str, Any] = {}
    if listed and permits:  # in name order, keyset pages (``?after=`` / ``?before=``)
        cursor_page = rows_module.page_of(
            found,
            after=request.GET.get("after", "").strip(),
            before=request.GET.get("before", "").strip(),
        )
        shown = rows_module.flow_described(cursor_page.rows)
        if cursor_page.prev_cursor:
            previous = {"after": None, "before": cursor_page.prev_cursor}
        if cursor_page.next_cursor:
            following = {"before": None, "after": cursor_page.next_cursor}
    elif listed:  # newest first, keyset pages (``?after=<day>.<id>``)
        shown, cursor = rows_module.flow_page(found, request.GET.get("after", "").strip())
        following = {"after": cursor} if cursor else {}
        previous = {"page": 1} if request.GET.get("after") else {}  # back to the newest
    params = request.GET.copy()
    for name in ("after", "before", "page"):
        params.pop(name, None)

    def link(change: dict[str, Any]) -> str:
        if not change:
            return ""
        query = params.copy()
        for name, value in change.items():
            if value is not None:
                query[name] = str(value)
        return "?" + query.urlencode()

    context = {
        "indicator": indicator,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "province": province,
        "park": park,
        "figure": figure,
        "from_day": jalali.year_start(as_of),
        "listed": listed,
        "rows": shown,
        "previous": link(previous),
        "next": link(following),
    }
    return render(request, "indicators/flow_rows.html", context)


def _flow_download(
    request: HttpRequest,
    indicator: Indicator,
    as_of: dt.date,
    province: Province | None,
    park: Park | None,
    figure: Any,
    chunks: Any,
    fmt: str,
) -> HttpResponseBase:
    def rows() -> Any:
        for chunk in chunks:
            for row in chunk:
                yield {
                    "name": row.unit.name,
                    "day": row.day,
                    "before": row.before,
                    "province": row.province,
                    "park": row.park,
                    "park_kind": row.park_kind,
                    "ownership": row.ownership,
                    "employees": row.employees,
                    "size": row.size,
                }

    columns = [Column("name", _("Name")), Column("day", _("Date"), "date")]
    if indicator.measure == "revived":
        columns.append(Column("before", _("Revived from")))
    columns += [
        Column("province", _("Province then")),
        Column("park", _("Park or zone then")),
        Column("park_kind", _("Kind")),
        Column("ownership", _("Ownership")),
        Column("employees", _("Employees"), "int"),
        Column("size", _("Size")),
    ]
    return export_response(
        _rows_table(request, indicator, as_of, province, park, figure, columns, rows()),
        fmt,
        stream_xlsx=True,
    )


def _rows_table(
    request: HttpRequest,
    indicator: Indicator,
    as_of: dt.date,
    province: Province | None,
    park: Park | None,
    figure: Any,
    columns: list[Column],
    rows: Any,
    prepared: bool = False,
) -> Table:
    """A rows page as a download: the figure's name, definition, date, place and number
    above the rows."""
    filters = [(_("Definition"), indicator.display_definition)]
    if province is not None:
        filters.append((_("Province"), str(province)))
    if park is not None:
        filters.append((_("Park or zone"), str(park)))
    filters += _rows_narrowing(request)
    if figure is not None and indicator.measure != "jobs":
        filters.append((_("The figure"), num(figure)))
    slug = f"rows-{indicator.key}-{selectors.format_date(as_of, persian_digits=False)}"
    if province is not None:
        slug += f"-{province.code}"
    if park is not None:
        slug += f"-park-{park.pk}"
    return Table(
        title=indicator.display_name,
        columns=columns,
        rows=rows,
        filename=slug.replace("/", ""),
        as_of=timezone.make_aware(dt.datetime.combine(as_of, dt.time(23, 59))),
        filters=filters,
        source_url=_source_url(request),
        prepared=prepared,
    )


def _rows_download(
    request: HttpRequest,
    indicator: Indicator,
    as_of: dt.date,
    province: Province | None,
    park: Park | None,
    figure: int | None,
    units: list[Any],
    fmt: str,
) -> HttpResponseBase:
    """Every row of the page (its scope and narrowing), read through one server-side
    cursor as the file is sent (``rows.download_rows``), under the figure's name,
    definition, date, place and number."""
    rows = rows_module.download_rows(units, as_of, _("today"))
    columns = [
        Column("name", _("Name")),
        Column("status", _("Status then")),
        Column("since", _("Since"), "date"),
        Column("province", _("Province then")),
        Column("park", _("Park or zone then")),
        Column("park_kind", _("Kind")),
        Column("ownership", _("Ownership")),
        Column("employees", _("Employees"), "int"),
        Column("size", _("Size")),
    ]
    figure_shown = figure if indicator.measure == "units" else None
    return export_response(
        _rows_table(
            request, indicator, as_of, province, park, figure_shown, columns, rows, prepared=True
        ),
        fmt,
        stream_xlsx=True,
    )


@throttled("rows")
def cluster_rows(request: HttpRequest, key: str) -> HttpResponse:
    """The clusters a programme figure counted on a date at a place (``clusters.counted_ids``:
    the card's number), those the person may see listed (``Scope``) with their stage today."""
    indicator = get_object_or_404(Indicator, key=key.replace("\x00", ""), source="clusters")
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    province, park = _place_asked(request)
    if park is not None:  # clusters are not counted by park
        raise Http404
    place = Place("p", province.pk) if province else Place("c")
    figure = selectors.value_of(indicator, place, as_of)
    ids = cluster_figures.counted_ids(indicator.measure, place, as_of)
    visible = (
        Cluster.objects.filter(Scope.of(request.user).visible_q(Cluster), pk__in=ids)
        .select_related("province")
        .order_by("name", "id")
    )
    page = Paginator(visible, 50).get_page(request.GET.get("page"))
    context = {
        "indicator": indicator,
        "as_of": as_of,
        "as_of_error": as_of_error,
        "province": province,
        "figure": figure,
        "from_day": jalali.year_start(as_of),
        "page": page,
    }
    return render(request, "indicators/cluster_rows.html", context)


# The business clinics' rows: which measures count units, cases or revivals.
CLINIC_ROW_KINDS = {
    "candidates": "units",
    "open": "cases",
    "diagnosed": "cases",
    "revived": "revivals",
    "jobs": "revivals",
    "days_to_revival": "revivals",
    "held_6": "revivals",
    "held_12": "revivals",
}
CLINIC_NARROW = {
    "stage": lambda: clinic_casetype.CLINIC.open_stages,
    "cause_primary": lambda: Cause.values,
    "cause": lambda: Cause.values,
}


def _place_asked(request: HttpRequest) -> tuple[Province | None, Park | None]:
    """The province (``?province=IR-25``) or park (``?park=12``) a rows page is for; 404 for
    one that does not exist."""
    code = request.GET.get("province", "").replace("\x00", "").strip().upper()
    if code:
        return get_object_or_404(Province, code=code), None
    park_id = request.GET.get("park", "")
    if park_id:
        if not (park_id.isascii() and park_id.isdecimal() and int(park_id) < 2**63):
            raise Http404
        return None, get_object_or_404(Park, pk=int(park_id))
    return None, None


@dataclass
class _Asked:
    """What a rows page was asked for: the date, the place and the breakdown cell, with the
    figure it names."""

    as_of: dt.date
    as_of_error: str | None
    province: Province | None
    park: Park | None
    where: dict[str, Any]
    narrowed: dict[str, str]
    figure: Any

    def context(self, indicator: Indicator, label: Callable[[str, str], str]) -> dict[str, Any]:
        """What every rows page shows above its rows: the figure, its date and place, and
        the breakdown cell (named by ``label``)."""
        return {
            "indicator": indicator,
            "figure": self.figure,
            "as_of": self.as_of,
            "as_of_error": self.as_of_error,
            "province": self.province,
            "park": self.park,
            "narrowed": [
                (str(dict(BREAKDOWNS)[dim]), label(dim, value))
                for dim, value in self.narrowed.items()
            ],
        }


def _figure_asked(
    request: HttpRequest, indicator: Indicator, narrow: dict[str, Callable[[], Any]]
) -> _Asked:
    """The date (``?as_of=``), place (``?province=``/``?park=``) and breakdown cell (one of
    ``narrow``'s dimensions, with its allowed values) a rows page is asked for, and the figure
    there; 404 for a place or value that does not exist."""
    as_of, as_of_error = selectors.parse_as_of(request.GET)
    province, park = _place_asked(request)
    place = Place("p", province.pk) if province else Place("k", park.pk) if park else Place("c")
    where: dict[str, Any] = (
        {"province_id": province.pk} if province else {"park_id": park.pk} if park else {}
    )
    figure = selectors.value_of(indicator, place, as_of)
    narrowed: dict[str, str] = {}
    for dim, allowed in narrow.items():
        value = request.GET.get(dim, "").replace("\x00", "").strip()
        if value and dim in indicator.breakdowns:
            if value not in allowed():
                raise Http404
            narrowed[dim] = value
            figure = selectors.breakdown(indicator, place, as_of, dim).get(value, 0)
    return _Asked(as_of, as_of_error, province, park, where, narrowed, figure)


@throttled("rows")
def clinic_rows(request: HttpRequest, key: str) -> HttpResponse:
    """What a business-clinic figure counted on a date (``clinics.figures``), beside the
    figure itself. Candidates: the units the person may see, shown as ``indicator_rows``
    shows them. Cases and revivals: listed only to the staff who keep clinic cases
    (national staff, provincial officers, clinic consultants), each the cases they keep
    (``Scope.full_q(Case)``); the public and everyone else get the figure alone — they see
    aggregate figures only."""
    indicator = get_object_or_404(Indicator, key=key.replace("\x00", ""), source="clinics")
    kind = CLINIC_ROW_KINDS.get(indicator.measure)
    if kind is None:
        raise Http404
    asked = _figure_asked(request, indicator, CLINIC_NARROW)
    as_of, province, park, where, narrowed = (
        asked.as_of,
        asked.province,
        asked.park,
        asked.where,
        asked.narrowed,
    )
    scope = Scope.of(request.user)
    listed = kind == "units" or scope.can("cases.follow_cases")
    rows: Any = []
    if kind == "units":
        rows = with_progress_then(_units_then(scope, as_of), as_of).filter(
            clinic_figures.candidate_q(as_of)
        )
        if province:
            rows = rows.filter(province_then=province.pk)
        if park:
            rows = rows.filter(park_then=park.pk)
        rows = rows.order_by("sort_key", "id")
    elif listed and indicator.measure == "open":
        stages = [narrowed["stage"]] if "stage" in narrowed else None
        rows = clinic_figures.open_cases(as_of, stages=stages, **where)
    elif listed and indicator.measure == "diagnosed":
        rows = clinic_figures.diagnosed(as_of, **where)
        for dim in ("cause_primary", "cause"):
            if dim in narrowed:
                rows = clinic_figures.with_cause(rows, narrowed[dim], dim == "cause_primary")
    elif listed and indicator.measure in ("held_6", "held_12"):
        months = int(indicator.measure.split("_")[1])
        rows = clinic_figures.sustained(months, as_of, **where)
    elif listed:
        rows = clinic_figures.revivals(as_of, **where)
    if kind == "cases" and listed:
        rows = (
            rows.filter(scope.full_q(CaseModel))
            .select_related("enterprise")
            .order_by("-opened_on", "-id")
        )
    elif kind == "revivals" and listed:
        rows = (
            rows.filter(scope.full_q(CaseModel, "case__"))
            .select_related("enterprise", "case")
            .order_by("-date", "-id")
        )
    page = Paginator(rows, 50).get_page(request.GET.get("page")) if listed else None
    try:
        reverse("case_detail", args=[1])
        case_links = True
    except NoReverseMatch:  # the cases' pages are not installed
        case_links = False
    context = {
        **asked.context(indicator, _narrow_label),
        "kind": kind,
        "listed": listed,
        "page": page,
        "rows": _clinic_rows_shown(kind, page) if page is not None else [],
        "case_links": case_links,
        "some_without_history": kind == "units"
        and page is not None
        and any(not u.with_history for u in page),
    }
    return render(request, "indicators/clinic_rows.html", context)


def _clinic_rows_shown(kind: str, page: Any) -> list[tuple[Any, str, str]]:
    """(row, what it was then — a unit's status, a case's stage —, the province then)."""
    names = dict(Province.objects.values_list("pk", "name_fa"))
    statuses = dict(Status.choices)
    out = []
    for row in page:
        then = ""
        if kind == "units":
            then = str(statuses.get(row.status_then, row.status_then))
        elif getattr(row, "stage_then", None):
            then = clinic_casetype.CLINIC.stage_label(row.stage_then)
        out.append((row, then, names.get(row.province_then, "")))
    return out


def _narrow_label(dim: str, value: str) -> str:
    if dim == "stage":
        return clinic_casetype.CLINIC.stage_label(value)
    return str(Cause(value).label)


# The finance instruments' rows: the referrals or files a figure counted, and the values a
# breakdown may narrow them to.
FINANCE_NARROW = {
    "bank": lambda: [str(pk) for pk in Bank.objects.values_list("pk", flat=True)],
    "instrument": lambda: Instrument.values,
    "stage": lambda: [s.code for s in listing_type.LISTING.stages],
    "market": lambda: Market.values,
}


@throttled("rows")
def finance_rows(request: HttpRequest, key: str) -> HttpResponse:
    """What a finance figure counted on a date (``finance.figures``), beside the figure:
    the referrals or capital-market files the person may see (the staff who keep them, a
    bank's officers their bank's, an adviser's staff their firm's, an owner their unit's);
    everyone else gets the figure alone."""
    indicator = get_object_or_404(Indicator, key=key.replace("\x00", ""), source="finance")
    asked = _figure_asked(request, indicator, FINANCE_NARROW)
    as_of, where, narrowed = asked.as_of, asked.where, asked.narrowed
    measure = indicator.measure
    kind = "files" if measure in ("pipeline", "admitted", "raised") else "referrals"
    rows: Any
    if measure == "pipeline":
        stages = [narrowed["stage"]] if "stage" in narrowed else None
        rows = finance_figures.files_at(as_of, stages, **where)
        rows = rows.filter(pk__in=listings_visible(request.user).values("case_id"))
        rows = rows.select_related("enterprise", "listing__adviser").order_by("-opened_on", "-id")
    elif kind == "files":
        rows = finance_figures.admitted(as_of, market_code=narrowed.get("market"), **where)
        rows = rows.filter(pk__in=listings_visible(request.user).values("pk"))
        rows = rows.select_related("case__enterprise", "adviser").order_by("-day", "-pk")
    else:
        rows = finance_figures.referrals(
            measure,
            as_of,
            bank=narrowed.get("bank"),
            instrument=narrowed.get("instrument"),
            **where,
        )
        rows = rows.filter(pk__in=referrals_visible(request.user).values("pk"))
        rows = rows.select_related("case__enterprise", "bank").order_by("-day", "-pk")
    listed = request.user.is_authenticated
    page = Paginator(rows, 50).get_page(request.GET.get("page")) if listed else None
    names = dict(Province.objects.values_list("pk", "name_fa"))
    context = {
        **asked.context(indicator, _finance_label),
        "kind": kind,
        "listed": listed,
        "page": page,
        "rows": [
            (
                row,
                listing_type.LISTING.stage_label(row.stage_then) if measure == "pipeline" else "",
                names.get(row.province_then, ""),
            )
            for row in page
        ]
        if page
        else [],
    }
    return render(request, "indicators/finance_rows.html", context)


def _finance_label(dim: str, value: str) -> str:
    if dim == "bank":
        return str(Bank.objects.get(pk=value))
    if dim == "instrument":
        return str(Instrument(value).label)
    if dim == "market":
        return str(Market(value).label)
    return str(listing_type.LISTING.stage_label(value))


# --- targets of a Jalali year ------------------------------------------------------------


def _target_year(params: Any) -> tuple[int, str]:
    """The Jalali year asked for (``?year=``, any digits), or this one; with a message when
    what was typed is not a year of the calendar the targets keep."""
    this_year = jalali.year_of(jalali.today())
    typed = to_latin_digits(str(params.get("year", "")).replace("\x00", "")).strip()
    if not typed:
        return this_year, ""
    if typed.isascii() and typed.isdigit() and TARGET_YEARS[0] <= int(typed) <= TARGET_YEARS[1]:
        return int(typed), ""
    return this_year, _("%(typed)s is not a Jalali year (e.g. 1403); showing this year.") % {
        "typed": typed[:20]
    }


@dataclass
class TargetRow:
    """A place's figure against its target: a province's, or the country's (no province)."""

    card: selectors.Card
    province: Province | None = None
    field: Any = None  # the target's input, for those who set targets


def _target_years(this_year: int) -> list[int]:
    """The years offered: every year with a target, and the five around this one."""
    years = set(Target.objects.values_list("year", flat=True).distinct())
    years |= set(range(this_year - 4, this_year + 2))
    return sorted(years, reverse=True)


@throttled("exports", when=asks_download)
def targets(request: HttpRequest) -> HttpResponseBase:
    """Each indicator's target for a Jalali year — past years included — beside what was
    reached (as of the year's last day, or today while it runs), with the gap; the chosen
    indicator by province. National administrators set the targets here."""
    if empty := _without_indicators(request, _("Targets")):
        return empty
    scope = Scope.of(request.user)
    can_set = scope.can("indicators.set_targets")
    if request.method == "POST" and not can_set:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    year, year_error = _target_year(request.POST if request.method == "POST" else request.GET)
    first, last = jalali.year_bounds(year)
    today = jalali.today()
    begun = first <= today
    as_of = min(today, last)
    choices = selectors.indicators_for(Place("p", 0))
    set_for = set(Target.objects.filter(year=year).values_list("indicator_id", flat=True))
    targeted = [i for i in choices if i.pk in set_for]
    chosen = _indicator(request, targeted[0].key if targeted else "revived")
    if chosen.pk not in {i.pk for i in choices}:
        chosen = choices[0]
    country_cards = selectors.cards(targeted, COUNTRY, as_of, None) if targeted else []
    provinces = list(Province.objects.all())
    reached = selectors.by_province(chosen, as_of) if begun else {}
    by_place = dict(
        Target.objects.filter(year=year, indicator=chosen).values_list("province_id", "value")
    )
    rows = [
        TargetRow(
            selectors.Card(
                indicator=chosen,
                value=reached.get(p.pk, 0) if begun else None,
                link=selectors.rows_link(chosen, Place("p", p.pk), as_of, p.code) if begun else "",
                target=by_place.get(p.pk),
                year=year,
            ),
            p,
        )
        for p in provinces
    ]
    # The year's targets, whatever day the values are of (a year not begun is read today).
    country_targets = selectors.targets_of(tuple(i.pk for i in targeted), year, None)
    for card in country_cards:
        card.target, card.year = country_targets.get(card.indicator.pk), year
        if not begun:
            card.value, card.link = None, ""
    form = None
    if can_set:
        form = TargetsForm(
            request.POST if request.method == "POST" else None,
            provinces=provinces,
            current=by_place,
        )
        for row in rows:
            row.field = form[province_field(row.province)]  # type: ignore[arg-type]
        if request.method == "POST" and not year_error and form.is_valid():
            try:
                changed = targets_set(
                    actor=request.user, indicator=chosen, year=year, values=form.values()
                )
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                messages.success(
                    request,
                    _("Targets saved: %(n)s changed.") % {"n": num(changed)}
                    if changed
                    else _("Nothing changed."),
                )
                return redirect(
                    reverse("targets") + "?" + urlencode({"year": year, "indicator": chosen.key})
                )
    context = {
        "year": year,
        "year_error": year_error,
        "years": _target_years(jalali.year_of(today)),
        "begun": begun,
        "running": first <= today < last,
        "as_of": as_of,
        "chosen": chosen,
        "choices": choices,
        "country_cards": country_cards,
        "rows": rows,
        "form": form,
        "menu_section": "targets",
    }
    if fmt := request.GET.get("export"):
        return export_response(_target_tables(request, context), fmt)
    return render(request, "indicators/targets.html", context)


def _target_tables(request: HttpRequest, context: dict[str, Any]) -> list[Table]:
    """The page as a download: the year's targets of the country, then the chosen indicator
    by province; value, target, progress and gap, with the date the values are of."""
    as_of: dt.date = context["as_of"]
    moment = timezone.make_aware(dt.datetime.combine(as_of, dt.time(23, 59)))
    columns = [
        Column("indicator", _("Indicator")),
        Column("place", _("Place")),
        Column("value", _("Reached"), "decimal"),
        Column("target", _("Target"), "decimal"),
        Column("progress", _("Progress"), "percent"),
        Column("gap", _("Gap"), "decimal"),
    ]

    def line(card: selectors.Card, place: str) -> dict[str, Any]:
        return {
            "indicator": card.indicator.display_name,
            "place": place,
            "value": card.value,
            "target": card.target,
            "progress": None if card.progress is None else card.progress / 100,
            "gap": card.gap,
        }

    year = context["year"]
    filters = [(_("Jalali year"), str(year))]
    country = _("The whole country")
    return [
        Table(
            title=_("Targets for %(year)s") % {"year": year},
            columns=columns,
            rows=[line(c, str(country)) for c in context["country_cards"]],
            filename=f"targets-{year}",
            as_of=moment,
            filters=filters,
            source_url=_source_url(request),
        ),
        Table(
            title=_("%(indicator)s by province") % {"indicator": context["chosen"].display_name},
            columns=columns,
            rows=[line(r.card, str(r.province)) for r in context["rows"]],
            filename=f"targets-{year}-{context['chosen'].key}",
            as_of=moment,
            filters=filters,
            source_url=_source_url(request),
        ),
    ]
