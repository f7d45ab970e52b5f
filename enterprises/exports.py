"""The directory as a table to download (CSV, XLSX): built for a person, so that the page's
download and a download prepared in the background (``ops.exports``) hold the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from exports.tables import Column, Table
from places.models import Park, Province
from sectors.models import IndustryGroup, IsicDivision

from .models import SizeBand, Status
from .selectors import (
    DirectoryQuery,
    directory_export_has_private_fields,
    directory_export_rows,
)


def directory_table(user: Any, query: DirectoryQuery) -> Table:
    """The units behind the directory's filters as a table for a download: the same scope
    and filters as the page, private fields only for those who keep units."""
    columns = [
        Column("name", _("Name")),
        Column("province", _("Province")),
        Column("park", _("Park or zone")),
        Column("group", _("Industry group")),
        Column("isic", _("ISIC division")),
        Column("size", _("Size")),
        Column("employees", _("Employees"), "int"),
        Column("status", _("Status")),
        Column("status_since", _("Status since"), "date"),
        Column("knowledge_based", _("Knowledge-based")),
        Column("exporter", _("Exporter")),
        Column("products", _("Products")),
        Column("capabilities", _("Capabilities")),
        Column("phone", _("Office phone")),
        Column("email", _("E-mail")),
        Column("website", _("Website")),
        Column("address", _("Address")),
    ]
    private = directory_export_has_private_fields(user)
    if private:
        columns += [
            Column("legal_id", _("National ID")),
            Column("business_id", _("Business ID")),
            Column("permit_number", _("Operating permit number")),
            Column("permit_date", _("Operating permit date"), "date"),
            Column("construction_progress", _("Construction progress"), "percent"),
            Column("mobile", _("Contact person's mobile")),
            Column("published", _("Published in the public directory")),
        ]
    params = query.filter_params()
    return Table(
        title=_("Directory of industrial units"),
        columns=columns,
        rows=_directory_rows(user, query),
        filename="enterprises" + (f"-{query.province}" if query.province else ""),
        as_of=timezone.now(),
        filters=_filter_lines(query),
        source_url=reverse("enterprise_directory") + ("?" + urlencode(params) if params else ""),
    )


def _directory_rows(user: Any, query: DirectoryQuery) -> Iterator[dict[str, Any]]:
    """The selector's rows with names for codes (looked up here in small tables, so the
    big table is read without joins) and labels for choices."""
    provinces = {p.pk: str(p) for p in Province.objects.all()}
    parks = dict(Park.objects.values_list("pk", "name"))
    groups = {g.pk: str(g) for g in IndustryGroup.objects.all()}
    divisions = {d.pk: str(d) for d in IsicDivision.objects.all()}
    sizes = {value: str(label) for value, label in SizeBand.choices}
    statuses = {value: str(label) for value, label in Status.choices}
    yes_no = {True: _("yes"), False: _("no"), None: None}
    for row in directory_export_rows(user, query):
        progress = row.get("construction_progress")
        yield {
            **row,
            "knowledge_based": yes_no[row["knowledge_based"]],
            "exporter": yes_no[row["exporter"]],
            "published": yes_no[row.get("published")],
            "province": provinces.get(row["province_id"], ""),
            "park": parks.get(row["park_id"], ""),
            "group": groups.get(row["industry_group_id"], ""),
            "isic": divisions.get(row["isic_division_id"], ""),
            "size": sizes.get(row["size_band"], ""),
            "status": statuses.get(row["status"], ""),
            "construction_progress": None if progress is None else progress / 100,
        }


def _filter_lines(query: DirectoryQuery) -> list[tuple[str, str]]:
    """The filters in words, written under the title of the file."""

    def name_of(found: Any, code: Any) -> str:
        return str(found) if found is not None else str(code)

    lines: list[tuple[str, str]] = []
    if query.q:
        lines.append((_("Search"), query.q))
    if query.province:
        province = Province.objects.filter(code=query.province).first()
        lines.append((_("Province"), name_of(province, query.province)))
    if query.park:
        lines.append(
            (_("Park or zone"), name_of(Park.objects.filter(pk=query.park).first(), query.park))
        )
    if query.group:
        group = IndustryGroup.objects.filter(key=query.group).first()
        lines.append((_("Industry group"), name_of(group, query.group)))
    if query.isic:
        division = IsicDivision.objects.filter(pk=query.isic).first()
        lines.append((_("ISIC division"), name_of(division, query.isic)))
    if query.size:
        lines.append((_("Size"), str(dict(SizeBand.choices)[query.size])))
    if query.status:
        lines.append((_("Status"), str(dict(Status.choices)[query.status])))
    for on, label in (
        (query.knowledge_based, _("Knowledge-based")),
        (query.exporter, _("Exporter")),
    ):
        if on:
            lines.append((label, _("yes")))
    return lines
