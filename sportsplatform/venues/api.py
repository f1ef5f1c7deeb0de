"""GET /api/v1/venues and /api/v1/venues/{id} (API.md, "Places"): the public venue register for
the mini-program and partners. Reads only, through venues.queries; anonymous and cacheable.

`occupancy` in these answers comes from the gate counters (telemetry); the live figures of one
venue are at `/api/v1/venues/{id}/occupancy` (telemetry/api.py)."""

from __future__ import annotations

import re
from datetime import datetime

from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response

from sportsplatform.api.public import PublicReadView
from sportsplatform.api.schema import error_response
from sportsplatform.core.geo import navigation_links
from sportsplatform.regions.models import Region

from .models import Amenity, Ownership, Sport, Venue, VenuePhoto, VenueType, Weekday
from .queries import (
    DayHours,
    Near,
    distance_m,
    opening_state,
    public_documents,
    published_venues,
    search_venues,
    with_detail_relations,
    with_list_relations,
)

CODE_RE = re.compile(r"^[1-9][0-9]{5}$")
NEAR_RE = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
NEAR_PATTERN = r"^-?\d{1,3}(\.\d+)?,-?\d{1,3}(\.\d+)?$"
MAX_RADIUS_M = 200_000

INVALID_REGION = _("Enter a six-digit administrative division code (GB/T 2260), for example 510107.")
UNKNOWN_REGION = _("No administrative division has this code.")
UNKNOWN_SPORT = _("Unknown sport code.")
INVALID_NEAR = _("Enter a position as latitude,longitude in WGS-84 decimal degrees, for example 30.64,104.04.")
RADIUS_NEEDS_NEAR = _("A radius needs a position: give near=latitude,longitude as well.")

OCCUPANCY_NOTE = (
    '`occupancy`: people inside counted by the gates today, `{"current", "capacity", "level", "updated_at"}` '
    "(null when the venue reports no counts); list answers may be up to a minute old, "
    "`/api/v1/venues/{id}/occupancy` is live."
)


# --- query parameters shared with the facility and map APIs ---------------------------------


def parse_near(value: str) -> Near:
    """`lat,lng` in WGS-84 decimal degrees → Near, or a ValidationError."""
    match = NEAR_RE.match(value or "")
    if not match:
        raise serializers.ValidationError(INVALID_NEAR)
    lat, lng = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise serializers.ValidationError(INVALID_NEAR)
    return Near(lat, lng)


class RegionCodeField(serializers.RegexField):
    """A GB/T 2260 code of an existing division; matches it and every division inside it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault(
            "help_text",
            "Six-digit division code: a county (510107 武侯区), a city (510100 成都市) or the province "
            "(510000): everything inside it.",
        )
        super().__init__(CODE_RE.pattern, error_messages={"invalid": INVALID_REGION}, **kwargs)

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        if code and not Region.objects.filter(code=code).exists():
            raise serializers.ValidationError(UNKNOWN_REGION)
        return code


class NearQueryMixin(serializers.Serializer):
    near = serializers.RegexField(
        NEAR_PATTERN,
        required=False,
        allow_blank=True,
        error_messages={"invalid": INVALID_NEAR},
        help_text="`lat,lng` (WGS-84): order by distance from here and add `distance_m` to each row.",
    )
    radius = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_RADIUS_M,
        help_text="With `near`: only rows within this many metres.",
    )

    def validate_near(self, value):
        return parse_near(value) if value else None

    def validate(self, attrs):
        near = attrs.get("near")
        radius = attrs.get("radius")
        if radius is not None:
            if near is None:
                raise serializers.ValidationError({"radius": [RADIUS_NEEDS_NEAR]})
            attrs["near"] = Near(near.lat, near.lng, float(radius))
        return attrs


def optional_boolean(help_text: str) -> serializers.BooleanField:
    # allow_null: a missing boolean in a QueryDict must mean "no filter", not False.
    return serializers.BooleanField(required=False, allow_null=True, default=None, help_text=help_text)


class NamedEnumField(serializers.ChoiceField):
    """A ChoiceField whose choices are one named schema component (`enum_name`). Left to
    drf-spectacular, "type" and "kind" of different apps (venue types, facility kinds,
    organisation kinds, GeoJSON) collide and get hashed names such as Kind5a2Enum."""

    def __init__(self, choices, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices=choices, **kwargs)


class NamedEnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedEnumField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {
            "type": "string",
            "enum": list(field.choices),
            "description": "\n".join(f"* `{value}` - {label}" for value, label in field.choices.items()),
        }
        component = ResolvedComponent(
            name=field.enum_name, type=ResolvedComponent.SCHEMA, object=field.enum_name, schema=schema
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def public_page_url(viewname: str, pk: int) -> str | None:
    """The public web page of a record; None while that page does not exist."""
    try:
        return reverse(viewname, args=[pk])
    except NoReverseMatch:
        return None


def sport_name(sport: Sport) -> str:
    return sport.name_en if (get_language() or "").startswith("en") and sport.name_en else sport.name


# --- serializers ------------------------------------------------------------------------------


class OccupancySerializer(serializers.Serializer):
    current = serializers.IntegerField(help_text="People inside now.")
    capacity = serializers.IntegerField(allow_null=True, help_text="People allowed inside at once.")
    level = serializers.CharField(
        allow_null=True, help_text="`comfortable`, `busy` (from 70 % of capacity) or `full`; null without capacity."
    )
    updated_at = serializers.DateTimeField(allow_null=True, help_text="Last count received.")


class IntervalSerializer(serializers.Serializer):
    opens = serializers.CharField(help_text="Local time (Asia/Shanghai), HH:MM.")
    closes = serializers.CharField(help_text="Local time (Asia/Shanghai), HH:MM.")


class DayHoursSerializer(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.IntegerField(help_text="0 = Monday … 6 = Sunday.")
    is_today = serializers.BooleanField()
    closed = serializers.BooleanField(help_text="Closed all day.")
    intervals = IntervalSerializer(many=True, help_text="Opening intervals, in order; empty when closed.")
    is_exception = serializers.BooleanField(help_text="Hours differ from the weekly pattern (holiday, event).")
    reason = serializers.CharField(help_text="Why, for an exception; else empty.")


class WeeklyHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday … 6 = Sunday.")
    weekday_label = serializers.CharField()
    intervals = IntervalSerializer(many=True)


class OpeningHoursSerializer(serializers.Serializer):
    open_now = serializers.BooleanField()
    closes_at = serializers.CharField(allow_null=True, help_text="HH:MM when open now, else null.")
    opens_at = serializers.CharField(allow_null=True, help_text="HH:MM of the next opening today, else null.")
    weekly = WeeklyHoursSerializer(many=True, help_text="The usual week, Monday first.")
    days = DayHoursSerializer(many=True, help_text="Today and the next six days, exceptions applied.")


def _hhmm(t) -> str | None:
    return t.strftime("%H:%M") if t is not None else None


def day_hours_payload(day: DayHours, today) -> dict:
    return {
        "date": day.date,
        "weekday": day.date.weekday(),
        "is_today": day.date == today,
        "closed": day.is_closed_all_day,
        "intervals": [{"opens": _hhmm(o), "closes": _hhmm(c)} for o, c in day.intervals],
        "is_exception": day.is_exception,
        "reason": day.exception_reason,
    }


class VenueListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = NamedEnumField(VenueType.choices, enum_name="VenueTypeEnum")
    type_label = serializers.CharField(source="get_type_display")
    ownership = serializers.ChoiceField(Ownership.choices)
    ownership_label = serializers.CharField(source="get_ownership_display")
    sports = serializers.SerializerMethodField(help_text="Sport codes, as the `sport` filter takes them.")
    sport_names = serializers.SerializerMethodField(help_text="Names of `sports`, same order, in the language asked.")
    region_code = serializers.CharField(source="region_id")
    region_name = serializers.CharField(source="region.name")
    address = serializers.CharField()
    lat = serializers.FloatField(help_text="WGS-84.")
    lng = serializers.FloatField(help_text="WGS-84.")
    rating = serializers.IntegerField(source="star_rating", allow_null=True, help_text="Star rating 1–5; null if none.")
    open_now = serializers.SerializerMethodField()
    today_hours = serializers.SerializerMethodField(help_text="Today's opening hours, exceptions applied.")
    distance_m = serializers.SerializerMethodField(help_text="Metres from `near`; null without it.")
    thumbnail = serializers.SerializerMethodField(help_text="URL of the first photo's thumbnail; null if none.")
    occupancy = serializers.SerializerMethodField(help_text=OCCUPANCY_NOTE)

    def _state(self, venue: Venue):
        # One opening computation per row, at the request's single "now" (context["now"]).
        state = getattr(venue, "_api_open_state", None)
        if state is None:
            state = venue._api_open_state = opening_state(venue, self.context.get("now"))
        return state

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_sports(self, venue: Venue) -> list[str]:
        return [s.code for s in venue.sports.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_sport_names(self, venue: Venue) -> list[str]:
        return [sport_name(s) for s in venue.sports.all()]

    @extend_schema_field(serializers.BooleanField())
    def get_open_now(self, venue: Venue) -> bool:
        return self._state(venue).open_now

    @extend_schema_field(DayHoursSerializer)
    def get_today_hours(self, venue: Venue) -> dict:
        state = self._state(venue)
        return DayHoursSerializer(day_hours_payload(state.today, state.today.date)).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_distance_m(self, venue: Venue) -> int | None:
        metres = distance_m(venue, self.context.get("near"))
        return None if metres is None else round(metres)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail(self, venue: Venue) -> str | None:
        photo = next(iter(venue.photos.all()), None)
        return photo_urls(photo, self.context.get("request"))[1] if photo else None

    @extend_schema_field(OccupancySerializer(allow_null=True))
    def get_occupancy(self, venue: Venue) -> dict | None:
        from sportsplatform.telemetry.domain.occupancy import reading_from_row

        row = getattr(venue, "_occupancy_row", None)
        if row is None:
            row = venue._occupancy_row = _occupancy_row(venue)
        if row is False:
            return None
        reading = reading_from_row(venue_id=venue.pk, capacity=venue.capacity, row=row)
        level = reading.level
        return {
            "current": reading.current,
            "capacity": reading.capacity,
            "level": level.value if level else None,
            "updated_at": reading.updated_at,
        }


def _occupancy_row(venue: Venue):
    """The venue's occupancy row (joined by the list and detail queries), or False when none."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return venue.occupancy
    except ObjectDoesNotExist:
        return False


def absolute_url(request, url: str) -> str:
    return request.build_absolute_uri(url) if request is not None else url


def photo_urls(photo: VenuePhoto, request) -> tuple[str, str]:
    """(image, thumbnail) URLs; the image stands in for a thumbnail not made yet."""
    image = absolute_url(request, photo.image.url)
    thumbnail = absolute_url(request, photo.thumbnail.url) if photo.thumbnail else image
    return image, thumbnail


class CourtSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="`court`, `field`, `lane`, `room`, `table` or `area`.")
    kind_label = serializers.CharField(source="get_kind_display")
    sport = serializers.CharField(source="sport.code")
    sport_name = serializers.SerializerMethodField()
    capacity = serializers.IntegerField(help_text="People per booking.")
    price_per_hour = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text='Standard price in yuan, e.g. "35.00".'
    )
    is_bookable = serializers.BooleanField(help_text="Bookable online.")

    def get_sport_name(self, court) -> str:
        return sport_name(court.sport)


class PhotoSerializer(serializers.Serializer):
    url = serializers.URLField()
    thumbnail_url = serializers.URLField()
    caption = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)


class DocumentSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="`drawing`, `inspection`, `indoor_map` or `model_3d`.")
    kind_label = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField()
    issued_on = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    expired = serializers.BooleanField(help_text="valid_until has passed.")


class AmenitySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PointSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()


class NavigationSerializer(serializers.Serializer):
    amap = serializers.URLField(help_text="AMap route planner (GCJ-02).")
    baidu = serializers.URLField(help_text="Baidu Maps directions (GCJ-02, declared with coord_type).")
    tencent = serializers.URLField(help_text="Tencent Maps route planner (GCJ-02).")
    gcj02 = PointSerializer(help_text="The place in GCJ-02, for wx.openLocation.")


class VenueDetailSerializer(VenueListItemSerializer):
    phone = serializers.CharField()
    description = serializers.CharField()
    city_name = serializers.SerializerMethodField(help_text="The prefecture-level city of the county.")
    amenities = serializers.SerializerMethodField()
    floor_area = serializers.FloatField(allow_null=True, help_text="m².")
    site_area = serializers.FloatField(allow_null=True, help_text="m².")
    year_built = serializers.IntegerField(allow_null=True)
    capacity = serializers.IntegerField(allow_null=True, help_text="People allowed inside at once.")
    operator = serializers.SerializerMethodField()
    opening_hours = serializers.SerializerMethodField()
    courts = CourtSerializer(many=True, source="courts.all")
    photos = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField(help_text="Documents published to the public only.")
    navigation = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField(help_text="The venue's public web page; null if none.")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_city_name(self, venue: Venue) -> str | None:
        parent = venue.region.parent
        return parent.name if parent is not None else None

    @extend_schema_field(AmenitySerializer(many=True))
    def get_amenities(self, venue: Venue) -> list[dict]:
        labels = dict(Amenity.choices)
        return [{"code": c, "label": str(labels[c])} for c in venue.amenities or [] if c in labels]

    @extend_schema_field(OrganisationRefSerializer(allow_null=True))
    def get_operator(self, venue: Venue) -> dict | None:
        return {"id": venue.operator_id, "name": venue.operator.name} if venue.operator_id else None

    @extend_schema_field(OpeningHoursSerializer)
    def get_opening_hours(self, venue: Venue) -> dict:
        state = opening_state(venue, self.context.get("now"), week=True)
        weekly = {d: [] for d in Weekday.values}
        for h in venue.opening_hours.all():
            weekly[h.weekday].append({"opens": _hhmm(h.opens), "closes": _hhmm(h.closes)})
        return {
            "open_now": state.open_now,
            "closes_at": _hhmm(state.closes_at),
            "opens_at": _hhmm(state.opens_at),
            "weekly": [
                {"weekday": d, "weekday_label": str(Weekday(d).label), "intervals": intervals}
                for d, intervals in weekly.items()
            ],
            "days": [day_hours_payload(day, state.today.date) for day in state.week],
        }

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, venue: Venue) -> list[dict]:
        request = self.context.get("request")
        out = []
        for photo in venue.photos.all():
            url, thumbnail = photo_urls(photo, request)
            out.append(
                {
                    "url": url,
                    "thumbnail_url": thumbnail,
                    "caption": photo.caption,
                    "width": photo.width,
                    "height": photo.height,
                }
            )
        return out

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, venue: Venue) -> list[dict]:
        request = self.context.get("request")
        today = timezone.localtime(self.context.get("now")).date()
        return [
            {
                "kind": d.kind,
                "kind_label": d.get_kind_display(),
                "title": d.title,
                "url": absolute_url(request, reverse("venues:document", args=[d.pk])),
                "issued_on": d.issued_on,
                "valid_until": d.valid_until,
                "expired": d.valid_until is not None and d.valid_until < today,
            }
            for d in public_documents(venue)
        ]

    @extend_schema_field(NavigationSerializer)
    def get_navigation(self, venue: Venue) -> dict:
        links = navigation_links(lat=float(venue.lat), lng=float(venue.lng), name=venue.name)
        return {
            "amap": links.amap,
            "baidu": links.baidu,
            "tencent": links.tencent,
            "gcj02": {"lat": round(links.gcj02.lat, 6), "lng": round(links.gcj02.lng, 6)},
        }

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_web_url(self, venue: Venue) -> str | None:
        url = public_page_url("venues:detail", venue.pk)
        return absolute_url(self.context.get("request"), url) if url else None


class VenueListQuerySerializer(NearQueryMixin):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="Words of the name, address, county or sports."
    )
    region = RegionCodeField()
    sport = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="A sport code, e.g. `badminton`, `swimming`."
    )
    type = serializers.ChoiceField(VenueType.choices, required=False, allow_blank=True)
    ownership = serializers.ChoiceField(Ownership.choices, required=False, allow_blank=True)
    bookable = optional_boolean("true: venues with a court bookable online; false: venues without.")
    open_now = optional_boolean("true: open now (exceptions applied); false: closed now.")

    def validate_sport(self, value: str) -> str:
        if value and not Sport.objects.filter(code=value).exists():
            raise serializers.ValidationError(UNKNOWN_SPORT)
        return value


# --- views ------------------------------------------------------------------------------------

NOT_FOUND = error_response("No published venue has this id.")


@extend_schema_view(
    get=extend_schema(
        operation_id="venues_list",
        summary="Search published venues",
        description=(
            "Published venues matching every filter given, 20 a page (`page_size` up to 100). Ordered by "
            "distance with `near`, else by star rating and name. `open_now`, `today_hours` and `distance_m` "
            f"are computed at the request. {OCCUPANCY_NOTE}"
        ),
        parameters=[VenueListQuerySerializer],
        responses={
            200: VenueListItemSerializer(many=True),
            400: error_response("Bad filter: unknown sport, type or region, malformed `near` (`fields` says which)."),
            404: error_response("No such page."),
        },
        tags=["venues"],
    )
)
class VenueListView(PublicReadView, generics.ListAPIView):
    serializer_class = VenueListItemSerializer

    def list(self, request, *args, **kwargs):
        query = VenueListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        self.now, self.near = timezone.now(), filters.get("near")
        qs = search_venues(
            q=filters.get("q", ""),
            region=filters.get("region", ""),
            sport=filters.get("sport", ""),
            type=filters.get("type", ""),
            ownership=filters.get("ownership", ""),
            bookable=filters["bookable"],
            open_now=filters["open_now"],
            near=self.near,
            at=self.now,
        )
        page = self.paginate_queryset(
            with_list_relations(qs, at=self.now).select_related("occupancy").prefetch_related("photos")
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": self.now, "near": self.near}


class VenueDetailView(PublicReadView):
    @extend_schema(
        operation_id="venues_retrieve",
        summary="One published venue",
        description=(
            "Everything the venue page shows: opening hours (the weekly pattern and the next seven "
            "days with exceptions, today flagged), courts with prices, photos, public documents, "
            "amenities and navigation links for AMap, Baidu and Tencent Maps (GCJ-02 coordinates, "
            f"also given for wx.openLocation). Unpublished venues answer 404. {OCCUPANCY_NOTE}"
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Venue id.")],
        responses={200: VenueDetailSerializer, 404: NOT_FOUND},
        tags=["venues"],
    )
    def get(self, request, id: int):  # `id`: the path parameter of API.md
        now = timezone.now()
        venue = get_published_venue(id, at=now)
        return Response(VenueDetailSerializer(venue, context={"request": request, "now": now}).data)


def get_published_venue(pk: int, *, at: datetime | None = None) -> Venue:
    """The published venue with what its detail shows, or Http404 (drafts are not public)."""
    venue = with_detail_relations(published_venues(), at=at).select_related("occupancy").filter(pk=pk).first()
    if venue is None:
        raise Http404
    return venue
