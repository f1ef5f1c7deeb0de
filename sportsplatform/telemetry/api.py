"""Device and occupancy endpoints of API.md:

- POST /api/v1/telemetry/gates: a device's signed batch of gate events → 202 {"accepted": n, ...}
- GET /api/v1/venues/{id}/occupancy: people inside a published venue now.

Devices authenticate with their HMAC credential (telemetry.domain.auth, docs/telemetry.md), not
with a user's token; a refused message is counted (back office: rejected telemetry) and answered
with the reason as the error code."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from sportsplatform.api.errors import error_body
from sportsplatform.api.public import PublicReadView
from sportsplatform.api.schema import error_response

from .domain.auth import DeviceIdentity, DeviceRejected, verify_http
from .domain.ingest import ingest_one, parse_events
from .domain.occupancy import reading_for
from .domain.rejections import Rejected, record_rejections
from .models import Direction, OccupancyLevel, RejectionChannel

KEY_HEADER = "X-Device-Key"
TIMESTAMP_HEADER = "X-Device-Timestamp"
SIGNATURE_HEADER = "X-Device-Signature"

REJECTION_MESSAGES = {
    "missing_signature": _("Sign the request: X-Device-Key, X-Device-Timestamp and X-Device-Signature."),
    "unknown_key": _("Unknown device key."),
    "bad_signature": _("The signature does not match the request."),
    "revoked_key": _("This device credential has been revoked."),
    "expired_key": _("This device credential has expired."),
    "device_disabled": _("This device is disabled."),
    "bad_timestamp": _("The timestamp must be unix seconds."),
    "stale_timestamp": _("The timestamp is too far from the server's clock."),
    "too_large": _("The request is too large."),
    "bad_json": _("The body is not valid JSON."),
    "bad_envelope": _('Send {"events": [...]} with at least one event.'),
    "too_many_events": _("Too many events in one request."),
}


def _header(request, name: str) -> str:
    return request.META.get("HTTP_" + name.upper().replace("-", "_"), "")


def _rejected(exc: DeviceRejected) -> None:
    record_rejections(
        channel=RejectionChannel.HTTP,
        items=[Rejected(reason=exc.reason, detail=exc.detail, key_id=exc.key_id, venue_id=exc.venue_id)],
    )


class DeviceRejectedError(exceptions.APIException):
    def __init__(self, exc: DeviceRejected, status_code: int):
        self.status_code = status_code
        self.reason = exc.reason
        super().__init__(detail=REJECTION_MESSAGES.get(exc.reason, exc.reason), code=exc.reason)


class DeviceSignatureAuthentication(BaseAuthentication):
    """The device's HMAC signature over timestamp, method, path and body. No device headers at
    all: not authenticated (401); wrong ones: refused with the reason (401), and counted."""

    def authenticate(self, request):
        key_id = _header(request, KEY_HEADER)
        timestamp = _header(request, TIMESTAMP_HEADER)
        signature = _header(request, SIGNATURE_HEADER)
        if not (key_id or timestamp or signature):
            _rejected(DeviceRejected("missing_signature", "no device headers"))
            return None
        try:
            body = request._request.body
        except RequestDataTooBig:
            exc = DeviceRejected("too_large", "body over DATA_UPLOAD_MAX_MEMORY_SIZE")
            _rejected(exc)
            raise DeviceRejectedError(exc, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE) from None
        try:
            identity = verify_http(
                key_id=key_id,
                timestamp=timestamp,
                signature=signature,
                method=request.method,
                path=request._request.path,
                body=body,
            )
        except DeviceRejected as exc:
            _rejected(exc)
            raise DeviceRejectedError(exc, status.HTTP_401_UNAUTHORIZED) from None
        return None, identity

    def authenticate_header(self, request):
        return 'Device-HMAC-SHA256 realm="devices"'


class DeviceSignatureScheme(OpenApiAuthenticationExtension):
    target_class = "sportsplatform.telemetry.api.DeviceSignatureAuthentication"
    name = "deviceSignature"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": SIGNATURE_HEADER,
            "description": (
                "HMAC-SHA256 (hex) with the device's secret over `<X-Device-Timestamp>\\nPOST\\n<path>\\n<body>`, "
                "sent with `X-Device-Key` (the credential's key id) and `X-Device-Timestamp` (unix seconds, "
                "within 5 minutes of the server's clock). See docs/telemetry.md."
            ),
        }


class IsDevice(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, DeviceIdentity)


class GateEventSerializer(serializers.Serializer):
    gate = serializers.CharField(max_length=32, help_text="The gate's device code at the venue, e.g. `G1`.")
    direction = serializers.ChoiceField(Direction.choices)
    count = serializers.IntegerField(min_value=1, default=1, help_text="People who passed (default 1).")
    at = serializers.DateTimeField(help_text="When, ISO 8601 with offset (or unix seconds).")
    id = serializers.CharField(
        required=False,
        max_length=64,
        help_text="The device's event id, for de-duplication. Without it one is derived from the gate, time "
        "and direction, so a resent event still counts once.",
    )


class GateEventBatchSerializer(serializers.Serializer):
    events = GateEventSerializer(many=True)


class EventRejectionSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the event in `events`.")
    reason = serializers.CharField(
        help_text="`bad_event`, `bad_gate`, `unknown_gate`, `not_a_gate`, `gate_disabled`, `wrong_venue`, "
        "`bad_direction`, `bad_count`, `bad_time`, `too_old`, `in_future`, `bad_event_id`."
    )
    detail = serializers.CharField()


class IngestResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="New events stored.")
    duplicates = serializers.IntegerField(help_text="Events already received (same gate and event id).")
    rejected = EventRejectionSerializer(many=True, help_text="Events refused, with the reason; not stored.")


class GateEventsView(APIView):
    authentication_classes = [DeviceSignatureAuthentication]
    permission_classes = [IsDevice]
    throttle_classes: list = []  # devices are authenticated and counted; a flood guard belongs at the proxy

    @extend_schema(
        operation_id="telemetry_gates_create",
        summary="Report gate events (devices)",
        description=(
            "A batch of gate/turnstile/counter readings from one device, signed with the device's HMAC "
            "credential. Events may arrive late (up to 48 hours) and in any order; each is counted once per "
            "gate and event id. Valid events are stored even when others in the batch are refused."
        ),
        request=GateEventBatchSerializer,
        responses={
            202: IngestResultSerializer,
            400: error_response("The body is not a batch of events (`code` says why: `bad_json`, `bad_envelope`, …)."),
            401: error_response("Not signed, or the signature, key or timestamp is refused (`code` says why)."),
            413: error_response("Body too large."),
        },
        examples=[
            OpenApiExample(
                "Two readings",
                value={
                    "events": [
                        {
                            "gate": "G1",
                            "direction": "in",
                            "count": 3,
                            "at": "2026-05-01T09:30:00+08:00",
                            "id": "g1-1001",
                        },
                        {"gate": "G1", "direction": "out", "count": 1, "at": "2026-05-01T09:30:05+08:00"},
                    ]
                },
                request_only=True,
            )
        ],
        tags=["telemetry"],
    )
    def post(self, request):
        identity: DeviceIdentity = request.auth
        try:
            events = parse_events(request._request.body)
        except DeviceRejected as exc:
            exc.key_id, exc.venue_id = identity.key_id, identity.venue_id
            _rejected(exc)
            code = (
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE if exc.reason == "too_large" else status.HTTP_400_BAD_REQUEST
            )
            return Response(error_body(exc.reason, REJECTION_MESSAGES.get(exc.reason, exc.reason)), status=code)
        result = ingest_one(identity=identity, events=events, channel=RejectionChannel.HTTP)
        body = {
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": [{"index": r.index, "reason": r.reason, "detail": r.detail} for r in result.rejected],
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)

    def handle_exception(self, exc):
        if isinstance(exc, DeviceRejectedError):
            response = Response(error_body(exc.reason, str(exc.detail)), status=exc.status_code)
            if exc.status_code == status.HTTP_401_UNAUTHORIZED:
                response["WWW-Authenticate"] = DeviceSignatureAuthentication().authenticate_header(self.request)
            return response
        return super().handle_exception(exc)


class VenueOccupancySerializer(serializers.Serializer):
    """People inside a venue now (API.md: current, capacity, today_in, today_out, updated_at)."""

    current = serializers.IntegerField(help_text="People inside now (entries − exits today, never below zero).")
    capacity = serializers.IntegerField(allow_null=True, help_text="People allowed inside at once; null if unknown.")
    today_in = serializers.IntegerField(help_text="Entries since local midnight.")
    today_out = serializers.IntegerField(help_text="Exits since local midnight.")
    updated_at = serializers.DateTimeField(allow_null=True, help_text="Last count received; null if none yet.")
    level = serializers.ChoiceField(
        OccupancyLevel.choices,
        allow_null=True,
        help_text="`comfortable` below 70 % of capacity, `busy` from 70 %, `full` from 100 %; null without capacity.",
    )
    level_label = serializers.CharField(help_text="The level in the language asked; empty without capacity.")


def occupancy_payload(reading) -> dict:
    data = reading.as_dict()
    return {k: data[k] for k in ("current", "capacity", "today_in", "today_out", "updated_at", "level", "level_label")}


class VenueOccupancyView(PublicReadView):
    cache_seconds = 0  # live figures: the answer changes with every event

    @extend_schema(
        operation_id="venues_occupancy_retrieve",
        summary="People inside a venue now",
        description=(
            "Counted by the venue's gates since local midnight. Live updates: the server-sent-event stream "
            "`/live/venues/{id}/occupancy/stream` (see docs/telemetry.md)."
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Venue id.")],
        responses={200: VenueOccupancySerializer, 404: error_response("No published venue has this id.")},
        tags=["venues"],
    )
    def get(self, request, id: int):
        from sportsplatform.venues.models import Venue

        venue = Venue.objects.filter(pk=id, is_published=True).only("id", "capacity").first()
        if venue is None:
            raise Http404
        return Response(occupancy_payload(reading_for(venue)))
