"""GET /api/v1/map/features (API.md, "Places"): the map's venues and fitness facilities inside a
bounding box, as GeoJSON. maps.queries writes the body straight from database rows: a
whole-province request carries tens of thousands of features, far too many for a DRF serializer
per feature."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from sportsplatform.api.public import PublicReadView
from sportsplatform.api.schema import error_response

from .queries import ALL_TYPES, CLUSTER_THRESHOLD, GROUPS, MAX_FEATURES, BBox, LayerSelection, map_features_json

INVALID_BBOX = _(
    "Enter the box as minLng,minLat,maxLng,maxLat in WGS-84 decimal degrees, minimum before maximum, "
    "for example 102.9,30.1,104.9,31.4."
)
UNKNOWN_TYPES = _("Unknown type: %(types)s.")
NUMBER = r"-?\d{1,3}(\.\d+)?"
BBOX_PATTERN = rf"^{NUMBER},{NUMBER},{NUMBER},{NUMBER}$"
TYPES_NOTE = ", ".join(f"`{t}`" for t in sorted(ALL_TYPES))


class MapFeaturesQuerySerializer(serializers.Serializer):
    bbox = serializers.CharField(
        max_length=100,
        help_text="`minLng,minLat,maxLng,maxLat` (WGS-84), e.g. `102.9,30.1,104.9,31.4` for Chengdu. "
        "A trail is in the box when its start is.",
    )
    types = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=f"Comma list of venue types and facility kinds ({TYPES_NOTE}) or the groups `venues` and "
        "`facilities`; default everything. A type both layers know (sports_park, fitness_centre) selects "
        "it in both.",
    )

    cluster = serializers.ChoiceField(
        choices=["auto", "true", "false"],
        required=False,
        default="auto",
        help_text=f"`auto` (default): grid clusters when more than {CLUSTER_THRESHOLD} places are in the box, "
        "else the places; `true`: always clusters; `false`: always the places (capped, see `truncated`).",
    )

    def validate_bbox(self, value: str) -> BBox:
        try:
            min_lng, min_lat, max_lng, max_lat = (float(part) for part in value.split(","))
        except ValueError:
            raise serializers.ValidationError(INVALID_BBOX) from None
        coordinates_ok = all(-180 <= x <= 180 for x in (min_lng, max_lng)) and all(
            -90 <= y <= 90 for y in (min_lat, max_lat)
        )
        if not coordinates_ok or not (min_lng < max_lng and min_lat < max_lat):
            raise serializers.ValidationError(INVALID_BBOX)
        return BBox(min_lng, min_lat, max_lng, max_lat)

    def validate_types(self, value: str) -> LayerSelection:
        tokens = [t.strip() for t in value.split(",") if t.strip()]
        if not tokens:
            return LayerSelection.everything()
        unknown = [t for t in tokens if t not in ALL_TYPES and t not in GROUPS]
        if unknown:
            raise serializers.ValidationError(UNKNOWN_TYPES % {"types": ", ".join(unknown)})
        return LayerSelection.from_tokens(tokens)


class GeometrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point", "LineString"])
    coordinates = serializers.JSONField(
        help_text="Point: [lng, lat]; LineString: [[lng, lat], ...] (WGS-84, GeoJSON order)."
    )


class FeaturePropertiesSerializer(serializers.Serializer):
    """A place, or (with `cluster: true`) a grid cell of places: then only `cluster`, `layer`,
    `count` and `cell` are present."""

    id = serializers.IntegerField(
        required=False, help_text="Venue or facility id (for /api/v1/venues/{id} or /facilities/{id})."
    )
    layer = serializers.ChoiceField(choices=["venue", "facility"])
    name = serializers.CharField(required=False)
    type = serializers.CharField(required=False, help_text="Venue type or facility kind.")
    type_label = serializers.CharField(required=False)
    trail_kind = serializers.CharField(
        required=False, help_text="Trails: `hiking`, `walking` or `cycling`; else empty."
    )
    url = serializers.CharField(required=False, allow_null=True, help_text="Path of the public web page; null if none.")
    open_now = serializers.BooleanField(
        required=False, allow_null=True, help_text="Venues: open now; facilities: null."
    )
    sports = serializers.ListField(
        required=False, child=serializers.CharField(), help_text="Venues: sport codes; else empty."
    )
    cluster = serializers.BooleanField(required=False, help_text="Present and true on a cluster.")
    count = serializers.IntegerField(required=False, help_text="Clusters: places in the cell.")
    cell = serializers.ListField(
        required=False,
        child=serializers.FloatField(),
        help_text="Clusters: the cell as [minLng, minLat, maxLng, maxLat]; zoom to it to split the cluster.",
    )


class FeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.CharField(help_text="`venue-<id>` or `facility-<id>`.")
    geometry = GeometrySerializer()
    properties = FeaturePropertiesSerializer()


class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    bbox = serializers.ListField(child=serializers.FloatField(), help_text="The box asked for.")
    clustered = serializers.BooleanField(help_text="The features are grid clusters, not places.")
    truncated = serializers.BooleanField(help_text=f"More than {MAX_FEATURES} features matched; zoom in.")
    features = FeatureSerializer(many=True)


class MapFeaturesView(PublicReadView):
    @extend_schema(
        operation_id="map_features",
        summary="Venues and fitness facilities inside a box, as GeoJSON",
        description=(
            "A GeoJSON FeatureCollection of published venues and facilities inside `bbox`: Points, and "
            f"LineStrings for trails with a route. Venues first, at most {MAX_FEATURES} features "
            "(`truncated` says when more matched). A box with more places than the map can usefully "
            "show answers with grid clusters instead (`clustered`; see `cluster`). Answers may be cached "
            "for a minute."
        ),
        parameters=[MapFeaturesQuerySerializer],
        responses={
            200: FeatureCollectionSerializer,
            400: error_response("Malformed `bbox` or unknown `types` (`fields` says which)."),
        },
        tags=["map"],
    )
    def get(self, request):
        query = MapFeaturesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = map_features_json(
            bbox=query.validated_data["bbox"],
            layers=query.validated_data.get("types") or LayerSelection.everything(),
            at=timezone.now(),
            cluster={"auto": None, "true": True, "false": False}[query.validated_data.get("cluster", "auto")],
        )
        return HttpResponse(body, content_type="application/json")
