"""GET /api/v1/facilities and /api/v1/facilities/{id} (API.md, "Places"): sports parks, national
fitness centres, fitness trails and fitness paths, with their equipment. Public and cacheable;
reads through facilities.queries."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from sportsplatform.api.public import PublicReadView
from sportsplatform.api.schema import error_response
from sportsplatform.core.geo import navigation_links
from sportsplatform.venues.api import (
    NamedEnumField,
    NavigationSerializer,
    NearQueryMixin,
    OrganisationRefSerializer,
    RegionCodeField,
    absolute_url,
    public_page_url,
)

from .models import EquipmentCondition, Facility, FacilityKind, TrailKind
from .queries import distance_m, get_published_facility, search_facilities, with_list_relations

KINDS_DISAGREE = _("type and kind name different kinds; give one of them.")
KIND_NOTE = "`sports_park`, `fitness_centre`, `trail` or `fitness_path`."


class FacilityListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = NamedEnumField(FacilityKind.choices, enum_name="FacilityKindEnum")
    kind_label = serializers.CharField(source="get_kind_display")
    trail_kind = serializers.CharField(help_text="For trails: `hiking`, `walking` or `cycling`; else empty.")
    trail_kind_label = serializers.CharField(source="get_trail_kind_display")
    region_code = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    address = serializers.CharField()
    lat = serializers.FloatField(help_text="WGS-84; a trail's start.")
    lng = serializers.FloatField(help_text="WGS-84; a trail's start.")
    length_m = serializers.IntegerField(allow_null=True, help_text="Trails: length of the line in metres.")
    area = serializers.FloatField(allow_null=True, help_text="m².")
    year_built = serializers.IntegerField(allow_null=True)
    phone = serializers.CharField()
    equipment_count = serializers.IntegerField(help_text="Pieces of equipment on site (removed ones left out).")
    distance_m = serializers.SerializerMethodField(help_text="Metres from `near`; null without it.")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_distance_m(self, facility: Facility) -> int | None:
        metres = distance_m(facility, self.context.get("near"))
        return None if metres is None else round(metres)


class EquipmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="What it is, e.g. 太空漫步机.")
    count = serializers.IntegerField()
    condition = serializers.ChoiceField(choices=EquipmentCondition.choices)
    condition_label = serializers.CharField(source="get_condition_display")
    installed_on = serializers.DateField(allow_null=True)
    last_inspected_on = serializers.DateField(allow_null=True)


class LineStringSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["LineString"])
    coordinates = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        help_text="[[lng, lat], ...] in WGS-84 (GeoJSON order).",
    )


class FacilityDetailSerializer(FacilityListItemSerializer):
    description = serializers.CharField()
    opening_hours = serializers.CharField(help_text="As published, free text; empty if unknown.")
    city_name = serializers.SerializerMethodField()
    managed_by = serializers.SerializerMethodField(help_text="The managing organisation or body; empty if unknown.")
    managing_organisation = serializers.SerializerMethodField()
    equipment = EquipmentSerializer(many=True, source="equipment.all")
    path = serializers.SerializerMethodField(help_text="Trails: the route as a GeoJSON LineString; else null.")
    navigation = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField(help_text="The facility's public web page; null if none.")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_city_name(self, facility: Facility) -> str | None:
        parent = facility.region.parent
        return parent.name if parent is not None else None

    def get_managed_by(self, facility: Facility) -> str:
        if facility.managing_organisation_id:
            return facility.managing_organisation.name
        return facility.managing_body

    @extend_schema_field(OrganisationRefSerializer(allow_null=True))
    def get_managing_organisation(self, facility: Facility) -> dict | None:
        org = facility.managing_organisation
        return {"id": org.pk, "name": org.name} if org is not None else None

    @extend_schema_field(LineStringSerializer(allow_null=True))
    def get_path(self, facility: Facility) -> dict | None:
        if not facility.path or len(facility.path) < 2:
            return None
        return {"type": "LineString", "coordinates": [[float(x), float(y)] for x, y, *_ in facility.path]}

    @extend_schema_field(NavigationSerializer)
    def get_navigation(self, facility: Facility) -> dict:
        links = navigation_links(lat=float(facility.lat), lng=float(facility.lng), name=facility.name)
        return {
            "amap": links.amap,
            "baidu": links.baidu,
            "tencent": links.tencent,
            "gcj02": {"lat": round(links.gcj02.lat, 6), "lng": round(links.gcj02.lng, 6)},
        }

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_web_url(self, facility: Facility) -> str | None:
        url = public_page_url("facilities:detail", facility.pk)
        return absolute_url(self.context.get("request"), url) if url else None


class FacilityListQuerySerializer(NearQueryMixin):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="Words of the name, address, county or manager."
    )
    region = RegionCodeField()
    type = serializers.ChoiceField(
        choices=FacilityKind.choices, required=False, allow_blank=True, help_text=f"The facility kind: {KIND_NOTE}"
    )
    kind = serializers.ChoiceField(
        choices=FacilityKind.choices, required=False, allow_blank=True, help_text="Same as `type`."
    )
    trail_kind = serializers.ChoiceField(choices=TrailKind.choices, required=False, allow_blank=True)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("type") and attrs.get("kind") and attrs["type"] != attrs["kind"]:
            raise serializers.ValidationError({"kind": [KINDS_DISAGREE]})
        return attrs


@extend_schema_view(
    get=extend_schema(
        operation_id="facilities_list",
        summary="Search fitness facilities",
        description=(
            "Published sports parks, national fitness centres, fitness trails and fitness paths, 20 a page "
            "(`page_size` up to 100). Ordered by distance with `near` (a trail's distance is to its start), "
            "else by county, kind and name. The trail line is in the detail."
        ),
        parameters=[FacilityListQuerySerializer],
        responses={
            200: FacilityListItemSerializer(many=True),
            400: error_response("Bad filter: unknown type or region, malformed `near` (`fields` says which)."),
            404: error_response("No such page."),
        },
        tags=["facilities"],
    )
)
class FacilityListView(PublicReadView, generics.ListAPIView):
    serializer_class = FacilityListItemSerializer

    def list(self, request, *args, **kwargs):
        query = FacilityListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        self.near = filters.get("near")
        qs = search_facilities(
            q=filters.get("q", ""),
            region=filters.get("region", ""),
            kind=filters.get("type") or filters.get("kind") or "",
            trail_kind=filters.get("trail_kind", ""),
            near=self.near,
        )
        page = self.paginate_queryset(with_list_relations(qs))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "near": self.near}


class FacilityDetailView(PublicReadView):
    @extend_schema(
        operation_id="facilities_retrieve",
        summary="One published fitness facility",
        description="With its equipment inventory, navigation links and, for a trail, its route.",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Facility id.")],
        responses={200: FacilityDetailSerializer, 404: error_response("No published facility has this id.")},
        tags=["facilities"],
    )
    def get(self, request, id: int):  # `id`: the path parameter of API.md
        facility = get_published_facility(id)
        context = {"request": request, "now": timezone.now()}
        return Response(FacilityDetailSerializer(facility, context=context).data)
