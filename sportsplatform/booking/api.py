"""Booking API (API.md, "Booking and paying"): a venue's slots for a day, and holding slots."""

from __future__ import annotations

from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from sportsplatform.api.schema import error_response
from sportsplatform.core.errors import NotFound, ValidationFailed
from sportsplatform.venues.models import Venue

from .domain.availability import venue_availability
from .domain.holds import create_booking

MONEY = "{:.2f}"


class SlotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    price = serializers.CharField(help_text='Yuan, two decimals, e.g. "35.00".')
    status = serializers.ChoiceField(choices=["free", "taken", "closed"])
    capacity = serializers.IntegerField(help_text="Places: 1 for a court, N for a session.")
    available = serializers.IntegerField()
    reason = serializers.CharField(help_text="Why closed: not_released, started, or the venue's reason.")


class CourtSlotsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    sport = serializers.CharField()
    slots = SlotSerializer(many=True)


class AvailabilitySerializer(serializers.Serializer):
    date = serializers.DateField()
    courts = CourtSlotsSerializer(many=True)
    bookable_from = serializers.DateTimeField(help_text="When this day opens for booking.")
    member_prices = serializers.BooleanField()


def availability_payload(view) -> dict:
    return {
        "date": view.date.isoformat(),
        "bookable_from": view.bookable_from.isoformat() if view.bookable_from else None,
        "member_prices": view.member_prices,
        "courts": [
            {
                "id": court.id,
                "name": court.name,
                "kind": court.kind,
                "sport": court.sport,
                "slots": [
                    {
                        "id": s.id,
                        "start": _local(s.start),
                        "end": _local(s.end),
                        "price": MONEY.format(s.price),
                        "status": s.status,
                        "capacity": s.capacity,
                        "available": s.available,
                        "reason": s.reason,
                    }
                    for s in court.slots
                ],
            }
            for court in view.courts
        ],
    }


def _local(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).isoformat()


class AvailabilityView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="venue_availability",
        summary="A venue's bookable slots on one day",
        parameters=[OpenApiParameter("date", str, required=True, description="YYYY-MM-DD")],
        responses={
            200: AvailabilitySerializer,
            400: error_response("Bad date."),
            404: error_response("No such venue."),
        },
    )
    def get(self, request, id: int):
        venue = Venue.objects.filter(pk=id, is_published=True).first()
        if venue is None:
            raise NotFound()
        try:
            day = date.fromisoformat(request.query_params.get("date", ""))
        except ValueError as exc:
            raise ValidationFailed(fields={"date": ["YYYY-MM-DD"]}) from exc
        return Response(availability_payload(venue_availability(venue=venue, day=day, user=request.user)))


class BookingRequestSerializer(serializers.Serializer):
    slot_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=1, max_length=20
    )
    quantities = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=10),
        required=False,
        help_text="Places per session slot, by slot id (sessions only; courts are booked whole).",
    )
    idempotency_key = serializers.CharField(
        required=False, max_length=64, help_text="Or the Idempotency-Key header: a retry returns the first order."
    )


class BookingOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    amount = serializers.CharField()
    expires_at = serializers.DateTimeField()


class BookingResponseSerializer(serializers.Serializer):
    order = BookingOrderSerializer()


class BookingCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="booking_create",
        summary="Hold slots in one order awaiting payment",
        request=BookingRequestSerializer,
        responses={
            201: BookingResponseSerializer,
            400: error_response("Bad input or a slot that cannot be booked."),
            401: error_response("Not signed in."),
            403: error_response("Booking suspended."),
            409: error_response("slot_taken: a slot is gone; nothing was booked."),
        },
    )
    def post(self, request):
        data = BookingRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = data.validated_data.get("idempotency_key") or request.headers.get("Idempotency-Key", "")
        order = create_booking(
            user=request.user,
            slot_ids=data.validated_data["slot_ids"],
            quantities=data.validated_data.get("quantities"),
            idempotency_key=key,
        )
        return Response(
            {
                "order": {
                    "id": order.pk,
                    "number": order.number,
                    "status": order.status,
                    "amount": MONEY.format(order.amount),
                    "expires_at": _local(order.expires_at) if order.expires_at else None,
                }
            },
            status=status.HTTP_201_CREATED,
        )
