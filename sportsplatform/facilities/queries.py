"""Reads of the fitness-facility register: search with filters and ordering, the equipment
total, the detail prefetches. Pages, the API and the map call these; nothing here writes."""

from __future__ import annotations

import math

from django.db.models import ExpressionWrapper, F, FloatField, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from sportsplatform.core.geo import bbox_around, haversine_m
from sportsplatform.regions.models import scope_prefix
from sportsplatform.venues.queries import Near

from .models import Equipment, EquipmentCondition, Facility

__all__ = [
    "Near",
    "distance_m",
    "get_published_facility",
    "published_facilities",
    "search_facilities",
    "with_detail_relations",
    "with_equipment_count",
    "with_list_relations",
]


def published_facilities() -> QuerySet[Facility]:
    return Facility.objects.filter(is_published=True)


def search_facilities(
    *,
    q: str = "",
    region: str = "",
    kind: str = "",
    trail_kind: str = "",
    near: Near | None = None,
    queryset: QuerySet[Facility] | None = None,
) -> QuerySet[Facility]:
    """Published facilities matching every given filter. Ordered by distance when `near` is given
    (annotating `distance_sort`; a trail's distance is to its start), else by region, kind and
    name. `q` matches substrings of name, address, county and managing body, like venues."""
    qs = queryset if queryset is not None else published_facilities()
    for term in (q or "").split():
        qs = qs.filter(search_text__contains=term.lower())
    if region:
        qs = qs.filter(region__code__startswith=scope_prefix(region))
    if kind:
        qs = qs.filter(kind=kind)
    if trail_kind:
        qs = qs.filter(trail_kind=trail_kind)
    if near is not None:
        if near.radius_m:
            min_lat, min_lng, max_lat, max_lng = bbox_around(near.lat, near.lng, near.radius_m)
            qs = qs.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
        # The same equirectangular ordering as venues.queries.search_venues.
        k = math.cos(math.radians(near.lat))
        dlat = F("lat") - near.lat
        dlng = (F("lng") - near.lng) * k
        qs = qs.annotate(distance_sort=ExpressionWrapper(dlat * dlat + dlng * dlng, output_field=FloatField()))
        return qs.order_by("distance_sort", "id")
    return qs.order_by("region_id", "kind", "name", "id")


def with_equipment_count(qs: QuerySet[Facility]) -> QuerySet[Facility]:
    """Annotate `equipment_count`: pieces of equipment on site (removed lines left out). A
    subquery rather than Sum over a join, so the outer query needs no GROUP BY."""
    pieces = (
        Equipment.objects.filter(facility=OuterRef("pk"))
        .exclude(condition=EquipmentCondition.REMOVED)
        .order_by()
        .values("facility")
        .annotate(total=Sum("count"))
        .values("total")
    )
    return qs.annotate(equipment_count=Coalesce(Subquery(pieces), 0))


def with_list_relations(qs: QuerySet[Facility]) -> QuerySet[Facility]:
    """What a list row shows (region, equipment total) in one query. The trail line is deferred:
    lists never draw it."""
    return with_equipment_count(qs.select_related("region").defer("path", "description", "search_text"))


def with_detail_relations(qs: QuerySet[Facility]) -> QuerySet[Facility]:
    return with_equipment_count(
        qs.select_related("region", "region__parent", "managing_organisation").prefetch_related(
            Prefetch("equipment", queryset=Equipment.objects.order_by("kind", "id"))
        )
    )


def get_published_facility(pk: int) -> Facility:
    """The published facility with its detail relations, or Http404."""
    facility = with_detail_relations(published_facilities()).filter(pk=pk).first()
    if facility is None:
        raise Http404
    return facility


def distance_m(facility: Facility, near: Near | None) -> float | None:
    if near is None:
        return None
    return haversine_m(near.lat, near.lng, facility.lat, facility.lng)
