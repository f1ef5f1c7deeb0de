"""Reads on the GB/T 2260 divisions. Regions are public data, so nothing here is scoped."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from sportsplatform.core.errors import NotFound

from .models import Region


def children_of(code: str | None = None, *, on: date | None = None, include_historic: bool = False) -> QuerySet:
    """Divisions whose parent is `code` (no code: the top level, 510000 and 500000) that are in
    force on `on` (default today), or all of them, abolished ones too, with `include_historic`.
    Each carries `has_children`, judged the same way, so a list costs one query."""
    regions = Region.objects.filter(parent__isnull=True) if code is None else Region.objects.filter(parent_id=code)
    if not include_historic:
        regions = regions.current(on)
    return with_has_children(regions, on=on, include_historic=include_historic).order_by("code")


def with_has_children(regions: QuerySet, *, on: date | None = None, include_historic: bool = False) -> QuerySet:
    children = Region.objects.filter(parent_id=OuterRef("code"))
    if not include_historic:
        children = children.current(on)
    return regions.annotate(has_children=Exists(children))


def get_region(code: str) -> Region:
    """The division `code`, current or abolished (records keep the code they were filed under),
    with its parent chain loaded. Raises NotFound for a code that never existed here."""
    try:
        return with_has_children(Region.objects.select_related("parent__parent")).get(code=code)
    except Region.DoesNotExist:
        raise NotFound(_("There is no administrative division with code %(code)s.") % {"code": code}) from None


def ancestors(region: Region | str) -> list[Region]:
    """The divisions above `region`, from the top down (province, then prefecture where there is
    one: Chongqing's districts have only the province)."""
    if isinstance(region, str):
        region = get_region(region)
    chain = []
    parent = region.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    chain.reverse()
    return chain
