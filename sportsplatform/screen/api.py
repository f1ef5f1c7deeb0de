"""GET /api/v1/dashboard/summary?region=<code> (API.md, "Events, courses, news, telemetry"): the
figures of the data screen. For sports bureau officials and platform admins (401 anonymous, 403
anyone else); `region` defaults to the top of the caller's scope, and a region outside it answers
404 exactly like one that does not exist. The page /screen/ draws the same function's answer."""

from __future__ import annotations

from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from sportsplatform.api.schema import error_response
from sportsplatform.regions.api import RegionRefSerializer
from sportsplatform.regions.domain.sync import CODE_RE
from sportsplatform.regions.models import RegionLevel
from sportsplatform.telemetry.models import OccupancyLevel

from .domain.access import NOT_FOR_YOU, may_use_screen, resolve_region, screen_breadcrumb
from .domain.summary import LIVE_SECONDS, REGISTER_SECONDS, SALES_SECONDS, TREND_DAYS, region_summary

INVALID_CODE = _("Enter a six-digit administrative division code (GB/T 2260), for example 510100.")


class MayUseScreen(BasePermission):
    message = NOT_FOR_YOU

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and may_use_screen(user))


class SummaryQuerySerializer(serializers.Serializer):
    region = serializers.RegexField(
        CODE_RE.pattern,
        required=False,
        allow_blank=True,
        error_messages={"invalid": INVALID_CODE},
        help_text="Six-digit division code of Sichuan inside your scope: 510000 (the province), a prefecture "
        "(510100 成都市) or a county (510107 武侯区). Default: the top of your scope.",
    )


# --- the answer (documentation of region_summary's dict; the view returns that dict) ------------


class VenueCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Published venues in the region.")
    public = serializers.IntegerField()
    private = serializers.IntegerField()
    open_now = serializers.IntegerField(help_text="Open at this moment by their opening hours and exceptions.")


class VisitorsSerializer(serializers.Serializer):
    today = serializers.IntegerField(help_text="Entries counted by the venues' gates today (local day).")
    inside = serializers.IntegerField(help_text="People inside the venues now.")
    updated_at = serializers.DateTimeField(allow_null=True, help_text="Latest gate count behind these figures.")


class BookingsSerializer(serializers.Serializer):
    today = serializers.IntegerField(help_text="Venue bookings paid today that are still paid or used.")
    revenue_today = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="Yuan paid today for venue bookings, minus what was refunded of it.",
    )


class SportsAreaSerializer(serializers.Serializer):
    site_area_m2 = serializers.FloatField(help_text="Site area of the published venues (m²).")
    population = serializers.IntegerField(
        allow_null=True, help_text="Census population 2020 (province and prefectures only)."
    )
    per_person_m2 = serializers.FloatField(
        allow_null=True,
        help_text="Site area per person (m²): the platform's venues only, an approximation of the official "
        "statistic. Null for a county (no population on file).",
    )
    population_source = serializers.CharField()


class ExtraFigureSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="e.g. `events_this_month`, `instructors`.")
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.IntegerField()


class TypeShareSerializer(serializers.Serializer):
    type = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class BusiestVenueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    visitors_today = serializers.IntegerField()
    inside = serializers.IntegerField()
    capacity = serializers.IntegerField(allow_null=True)
    lat = serializers.FloatField(help_text="WGS-84.")
    lng = serializers.FloatField(help_text="WGS-84.")
    # Values of telemetry's OccupancyLevel; a plain string here, since a second component using that
    # enum under the name "level" would cost the telemetry API its VenueOccupancyLevelEnum name.
    level = serializers.CharField(
        allow_null=True,
        help_text=f"One of {', '.join(f'`{v}`' for v in OccupancyLevel.values)}; null without a capacity.",
    )
    level_label = serializers.CharField()


class TrendDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    visitors = serializers.IntegerField()
    bookings = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=14, decimal_places=2)


class HourSerializer(serializers.Serializer):
    hour = serializers.IntegerField(min_value=0, max_value=23)
    entries = serializers.IntegerField()
    exits = serializers.IntegerField()


class ChildSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(RegionLevel.choices)
    venues = serializers.IntegerField()
    public = serializers.IntegerField()
    private = serializers.IntegerField()
    open_now = serializers.IntegerField()
    facilities = serializers.IntegerField()
    fitness_equipment = serializers.IntegerField()
    visitors_today = serializers.IntegerField()
    inside = serializers.IntegerField()
    bookings_today = serializers.IntegerField()
    revenue_today = serializers.DecimalField(max_digits=14, decimal_places=2)
    site_area_m2 = serializers.FloatField()
    population = serializers.IntegerField(allow_null=True)
    area_per_person_m2 = serializers.FloatField(allow_null=True)


class MapSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Boundary file drawn: 510000 (prefectures) or a prefecture (its counties).")
    url = serializers.CharField(allow_null=True, help_text="Where to fetch that GeoJSON (cacheable for a year).")
    only = serializers.CharField(allow_null=True, help_text="For a county: draw only this division of the file.")


class SummarySerializer(serializers.Serializer):
    region = RegionRefSerializer()
    breadcrumb = RegionRefSerializer(many=True, help_text="The regions above this one that you may open, top down.")
    date = serializers.DateField()
    generated_at = serializers.DateTimeField(
        help_text=f"When the live figures were computed: they are kept for {LIVE_SECONDS} s, bookings and revenue "
        f"for {SALES_SECONDS} s, venue and facility counts for {REGISTER_SECONDS} s."
    )
    venues = VenueCountsSerializer()
    facilities = serializers.IntegerField(help_text="Published fitness facilities.")
    fitness_equipment = serializers.IntegerField(help_text="Pieces of outdoor fitness equipment not removed.")
    visitors = VisitorsSerializer()
    bookings = BookingsSerializer()
    sports_area = SportsAreaSerializer()
    extra_figures = ExtraFigureSerializer(
        many=True, help_text="Events this month, instructors: present only while the app recording them is installed."
    )
    by_type = TypeShareSerializer(many=True)
    busiest = BusiestVenueSerializer(many=True, help_text="Most entries today, at most 10.")
    trend = TrendDaySerializer(many=True, help_text=f"The last {TREND_DAYS} days, today last.")
    hourly_today = HourSerializer(many=True)
    children = ChildSerializer(
        many=True, help_text="The divisions one level down (prefectures or counties); empty for a county."
    )
    map = MapSerializer()


class DashboardSummaryView(APIView):
    permission_classes = [MayUseScreen]

    @extend_schema(
        operation_id="dashboard_summary",
        summary="Figures of the data screen for a region",
        description="Venues, facilities, visitors today (live gate counts), bookings and revenue today, trends of "
        f"the last {TREND_DAYS} days, busiest venues, share by venue type, sports area per person and the "
        "same figures per division one level down. For sports bureau officials (their own region) and "
        "platform admins. Cached per region for a few seconds.",
        parameters=[SummaryQuerySerializer],
        responses={
            200: SummarySerializer,
            400: error_response("Malformed region code."),
            401: error_response("Not signed in."),
            403: error_response("Not a sports bureau official or platform admin."),
            404: error_response("No such region on the data screen, or outside your scope."),
        },
        tags=["dashboard"],
    )
    def get(self, request):
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        region = resolve_region(request.user, query.validated_data.get("region") or None)
        summary = region_summary(region=region)
        response = Response({**summary, "breadcrumb": screen_breadcrumb(request.user, region)})
        patch_cache_control(response, private=True, no_cache=True)
        return response
