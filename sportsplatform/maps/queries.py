"""Reads for the map: every published venue and fitness facility inside a bounding box as a
GeoJSON FeatureCollection (venues and facilities as Points, trails as LineStrings).

A whole-province view asks for tens of thousands of features, so this reads `values_list` rows
(no model instances, a fixed number of queries whatever the count), casts coordinates to float
in SQL (no Decimal per row), and writes each feature from a template, escaping only the strings
with the json module's encoder: building dicts and serialising them took several times longer.
Type labels are escaped once per request and page URLs come from a template reversed once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, BooleanField, Case, Count, ExpressionWrapper, FloatField, TextField, When
from django.db.models.functions import Cast, Floor
from django.urls import NoReverseMatch, reverse

from sportsplatform.facilities.models import FacilityKind
from sportsplatform.facilities.queries import published_facilities
from sportsplatform.venues.models import Venue, VenueType
from sportsplatform.venues.queries import open_now_q, published_venues

MAX_FEATURES = 50_000
# Above this many points in the box the answer is a grid of clusters (count and centre per cell
# and layer) instead of the points: a whole-province view of 30,000 places would be ~10 MB of
# JSON and seconds of work per request, the clusters are a few hundred features.
CLUSTER_THRESHOLD = 2_000
CLUSTER_GRID = 48  # cells across the longer side of the box
VENUES, FACILITIES = "venues", "facilities"
VENUE_LAYER, FACILITY_LAYER = "venue", "facility"
# Group keywords and the types they stand for. A type both layers know (sports_park,
# fitness_centre) selects it in both.
GROUPS = {VENUES: frozenset(VenueType.values), FACILITIES: frozenset(FacilityKind.values)}
ALL_TYPES = frozenset(VenueType.values) | frozenset(FacilityKind.values)
_ID_SENTINEL = 987654321
# Strings are escaped by the json module's C encoder; the rest of each feature is a %-template
# (noqa: UP031 below: JSON braces read better unescaped than doubled for str.format).
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass(frozen=True)
class BBox:
    """WGS-84 bounding box, in the order of the `bbox` parameter (and of GeoJSON)."""

    min_lng: float
    min_lat: float
    max_lng: float
    max_lat: float

    def filter_kwargs(self) -> dict:
        return {
            "lat__gte": self.min_lat,
            "lat__lte": self.max_lat,
            "lng__gte": self.min_lng,
            "lng__lte": self.max_lng,
        }


@dataclass(frozen=True)
class LayerSelection:
    """Which venue types and facility kinds to draw; an empty set draws none of that layer."""

    venue_types: frozenset[str]
    facility_kinds: frozenset[str]

    @classmethod
    def everything(cls) -> LayerSelection:
        return cls(GROUPS[VENUES], GROUPS[FACILITIES])

    @classmethod
    def from_tokens(cls, tokens: list[str]) -> LayerSelection:
        """Tokens are type codes of either layer or the group keywords; callers validate them
        against ALL_TYPES | GROUPS first."""
        venue_types: set[str] = set()
        facility_kinds: set[str] = set()
        for token in tokens:
            if token in GROUPS:
                (venue_types if token == VENUES else facility_kinds).update(GROUPS[token])
                continue
            if token in GROUPS[VENUES]:
                venue_types.add(token)
            if token in GROUPS[FACILITIES]:
                facility_kinds.add(token)
        return cls(frozenset(venue_types), frozenset(facility_kinds))


def _url_template(viewname: str):
    """A function id → public page URL, reversed once; returns None while the page is missing."""
    try:
        sample = reverse(viewname, args=[_ID_SENTINEL])
    except NoReverseMatch:
        return lambda pk: None
    head, _sep, tail = sample.partition(str(_ID_SENTINEL))
    return lambda pk: f"{head}{pk}{tail}"


def _venue_features(bbox: BBox, types: frozenset[str], limit: int, at: datetime | None) -> list[str]:
    """Each venue in the box as a GeoJSON Feature, already serialised."""
    if not types or limit <= 0:
        return []
    qs = published_venues().filter(**bbox.filter_kwargs())
    if types != GROUPS[VENUES]:
        qs = qs.filter(type__in=sorted(types))
    rows = list(
        qs.annotate(
            is_open=ExpressionWrapper(open_now_q(at), output_field=BooleanField()),
            lat_f=Cast("lat", FloatField()),
            lng_f=Cast("lng", FloatField()),
        )
        .order_by("id")
        .values_list("id", "name", "type", "lat_f", "lng_f", "is_open")[:limit]
    )
    if not rows:
        return []
    # Sports of the same venues in one query (a join to the small sport table), not one per row.
    sports: dict[int, list[str]] = {}
    through = Venue.sports.through.objects.filter(venue__in=qs.values("id")).order_by("sport__order", "sport__code")
    for venue_id, code in through.values_list("venue_id", "sport__code"):
        sports.setdefault(venue_id, []).append(code)
    sports_json = {pk: _dumps(codes) for pk, codes in sports.items()}
    labels = {value: _dumps(str(label)) for value, label in VenueType.choices}
    url = _url_template("venues:detail")
    return [
        '{"type":"Feature","id":"venue-%d","geometry":{"type":"Point","coordinates":[%r,%r]},'  # noqa: UP031
        '"properties":{"id":%d,"layer":"venue","name":%s,"type":%s,"type_label":%s,"trail_kind":"",'
        '"url":%s,"open_now":%s,"sports":%s}}'
        % (
            pk,
            lng,
            lat,
            pk,
            _dumps(name),
            _dumps(type_),
            labels.get(type_) or _dumps(type_),
            _dumps(url(pk)),
            "true" if is_open else "false",
            sports_json.get(pk, "[]"),
        )
        for pk, name, type_, lat, lng, is_open in rows
    ]


def _facility_features(bbox: BBox, kinds: frozenset[str], limit: int) -> list[str]:
    """Each facility in the box as a GeoJSON Feature, already serialised. A trail's route goes
    out as the JSON text the database holds: parsing and re-serialising thousands of lines
    would cost more than everything else together."""
    if not kinds or limit <= 0:
        return []
    qs = published_facilities().filter(**bbox.filter_kwargs())
    if kinds != GROUPS[FACILITIES]:
        qs = qs.filter(kind__in=sorted(kinds))
    rows = (
        qs.annotate(
            lat_f=Cast("lat", FloatField()),
            lng_f=Cast("lng", FloatField()),
            route=Case(When(kind=FacilityKind.TRAIL, length_m__isnull=False, then=Cast("path", TextField()))),
        )
        .order_by("id")
        .values_list("id", "name", "kind", "trail_kind", "lat_f", "lng_f", "route")[:limit]
    )
    labels = {value: _dumps(str(label)) for value, label in FacilityKind.choices}
    url = _url_template("facilities:detail")
    features = []
    for pk, name, kind, trail_kind, lat, lng, route in rows:
        # length_m is set exactly when the path has two points or more (Facility.save).
        if route:
            geometry = '{"type":"LineString","coordinates":%s}' % route  # noqa: UP031
        else:
            geometry = '{"type":"Point","coordinates":[%r,%r]}' % (lng, lat)  # noqa: UP031
        features.append(
            '{"type":"Feature","id":"facility-%d","geometry":%s,"properties":{"id":%d,"layer":"facility",'  # noqa: UP031
            '"name":%s,"type":%s,"type_label":%s,"trail_kind":%s,"url":%s,"open_now":null,"sports":[]}}'
            % (
                pk,
                geometry,
                pk,
                _dumps(name),
                _dumps(kind),
                labels.get(kind) or _dumps(kind),
                _dumps(trail_kind),
                _dumps(url(pk)),
            )
        )
    return features


def _layer_querysets(bbox: BBox, layers: LayerSelection) -> list[tuple[str, object]]:
    out = []
    if layers.venue_types:
        qs = published_venues().filter(**bbox.filter_kwargs())
        if layers.venue_types != GROUPS[VENUES]:
            qs = qs.filter(type__in=sorted(layers.venue_types))
        out.append((VENUE_LAYER, qs))
    if layers.facility_kinds:
        qs = published_facilities().filter(**bbox.filter_kwargs())
        if layers.facility_kinds != GROUPS[FACILITIES]:
            qs = qs.filter(kind__in=sorted(layers.facility_kinds))
        out.append((FACILITY_LAYER, qs))
    return out


def count_features(*, bbox: BBox, layers: LayerSelection) -> int:
    return sum(qs.count() for _layer, qs in _layer_querysets(bbox, layers))


def _cluster_features(bbox: BBox, layers: LayerSelection) -> list[str]:
    """One Point per grid cell and layer that holds anything: its count, the mean position of
    its members and the cell's own box (zooming to it splits the cluster)."""
    cell = max(bbox.max_lng - bbox.min_lng, bbox.max_lat - bbox.min_lat) / CLUSTER_GRID
    features = []
    for layer, qs in _layer_querysets(bbox, layers):
        lat_f, lng_f = Cast("lat", FloatField()), Cast("lng", FloatField())
        rows = (
            qs.annotate(cx=Floor((lng_f - bbox.min_lng) / cell), cy=Floor((lat_f - bbox.min_lat) / cell))
            .order_by()
            .values("cx", "cy")
            .annotate(n=Count("id"), mean_lat=Avg(lat_f), mean_lng=Avg(lng_f))
            .order_by("cy", "cx")
            .values_list("cx", "cy", "n", "mean_lat", "mean_lng")
        )
        for cx, cy, n, lat, lng in rows:
            west, south = bbox.min_lng + cx * cell, bbox.min_lat + cy * cell
            features.append(
                '{"type":"Feature","id":"cluster-%s-%d-%d","geometry":{"type":"Point","coordinates":[%r,%r]},'  # noqa: UP031
                '"properties":{"cluster":true,"layer":"%s","count":%d,"cell":[%r,%r,%r,%r]}}'
                % (
                    layer,
                    int(cx),
                    int(cy),
                    round(lng, 6),
                    round(lat, 6),
                    layer,
                    n,
                    round(west, 6),
                    round(south, 6),
                    round(west + cell, 6),
                    round(south + cell, 6),
                )
            )
    return features


def map_features_json(
    *,
    bbox: BBox,
    layers: LayerSelection | None = None,
    limit: int = MAX_FEATURES,
    at: datetime | None = None,
    cluster: bool | None = None,
) -> bytes:
    """The FeatureCollection of what lies in `bbox` (a trail by its start point), as UTF-8 JSON.
    Venues come first; at most `limit` features, with `truncated` saying whether more matched.
    `cluster`: True → grid clusters, False → the places themselves, None → clusters when more
    than CLUSTER_THRESHOLD places are in the box."""
    layers = layers or LayerSelection.everything()
    if cluster is None:
        cluster = count_features(bbox=bbox, layers=layers) > CLUSTER_THRESHOLD
    if cluster:
        head = '{"type":"FeatureCollection","bbox":%s,"clustered":true,"truncated":false,"features":[' % (  # noqa: UP031
            _dumps([bbox.min_lng, bbox.min_lat, bbox.max_lng, bbox.max_lat]),
        )
        return (head + ",".join(_cluster_features(bbox, layers)) + "]}").encode()
    # One more than the limit tells whether anything was left out.
    venues = _venue_features(bbox, layers.venue_types, limit + 1, at)
    facilities = _facility_features(bbox, layers.facility_kinds, limit + 1 - len(venues))
    features = venues + facilities
    truncated = len(features) > limit
    head = '{"type":"FeatureCollection","bbox":%s,"clustered":false,"truncated":%s,"features":[' % (  # noqa: UP031
        _dumps([bbox.min_lng, bbox.min_lat, bbox.max_lng, bbox.max_lat]),
        "true" if truncated else "false",
    )
    return (head + ",".join(features[:limit]) + "]}").encode()


def map_features(**kwargs) -> dict:
    """map_features_json as a dict, for callers in Python."""
    return json.loads(map_features_json(**kwargs))
