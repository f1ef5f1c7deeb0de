"""The events API (API.md, "Events, courses"):

- GET  /api/v1/events, /api/v1/events/{id}: published events (anonymous, cacheable);
- POST /api/v1/events/{id}/registrations: sign up → 201 {"registration", "order"} (order null while
  waitlisted; a free entry's order of 0 is paid at once);
- GET  /api/v1/me/registrations, /api/v1/registrations/{id};
- POST /api/v1/registrations/{id}/withdraw.

Views parse input, call one domain function or query, and render; the rules live in
events.domain and events.queries."""

from __future__ import annotations

import re

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from sportsplatform.api.public import PublicReadView
from sportsplatform.api.schema import error_response
from sportsplatform.booking.domain.handler import describe_refund_tiers
from sportsplatform.core.errors import NotFound, ValidationFailed
from sportsplatform.core.idnumbers import mask_id_number
from sportsplatform.venues.models import Sport

from . import queries
from .domain.registrations import register, withdraw_registration
from .models import Event, EventGroup, Registration
from .serializers import (
    EventDetailSerializer,
    EventListItemSerializer,
    EventListQuerySerializer,
    MyRegistrationsQuerySerializer,
    RegisterRequestSerializer,
    RegisterResponseSerializer,
    RegistrationSerializer,
    RegistrationWithdrawRequestSerializer,
    local,
    money,
)

ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")

# --- payloads ----------------------------------------------------------------------------------


def _url(viewname: str, pk: int) -> str | None:
    try:
        return reverse(viewname, args=[pk])
    except NoReverseMatch:
        return None


def _absolute(request, url: str | None) -> str | None:
    if not url:
        return None
    return request.build_absolute_uri(url) if request is not None else url


def _sport(sport: Sport) -> dict:
    english = (get_language() or "").startswith("en") and sport.name_en
    return {"code": sport.code, "name": sport.name_en if english else sport.name}


def _price(group: EventGroup, event: Event):
    return group.fee if group.fee is not None else event.fee


def event_payload(event: Event, *, request=None, now=None) -> dict:
    """A list row; uses the prefetched groups (no query per event)."""
    now = now or timezone.now()
    groups = list(event.groups.all())
    prices = [_price(g, event) for g in groups] or [event.fee]
    return {
        "id": event.pk,
        "title": event.title,
        "sport": _sport(event.sport),
        "level": event.level,
        "entry_mode": event.entry_mode,
        "organiser": {"id": event.organiser_id, "name": event.organiser.name},
        "region_code": event.region_id,
        "region_name": event.region.name,
        "venue": {"id": event.venue.pk, "name": event.venue.name} if event.venue_id else None,
        "location": event.location or (event.venue.address if event.venue_id else ""),
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "registration_opens_at": local(event.registration_opens_at),
        "registration_closes_at": local(event.registration_closes_at),
        "registration_open": event.registration_open(now),
        "fee": money(event.fee),
        "fee_min": money(min(prices)),
        "fee_max": money(max(prices)),
        "places_left": sum(g.places_left for g in groups),
        "groups": [
            {
                "id": g.pk,
                "name": g.name,
                "fee": money(_price(g, event)),
                "quota": g.quota,
                "places_left": g.places_left,
            }
            for g in groups
        ],
        "cover": _absolute(request, event.cover.url) if event.cover else None,
        "url": _absolute(request, _url("events:detail", event.pk)),
    }


def _choices(raw) -> list[dict]:
    out = []
    for choice in raw or []:
        if isinstance(choice, dict):
            value = str(choice.get("value", choice.get("label", "")))
            out.append({"value": value, "label": str(choice.get("label", value))})
        else:
            out.append({"value": str(choice), "label": str(choice)})
    return out


def event_detail_payload(event: Event, *, request=None, now=None) -> dict:
    payload = event_payload(event, request=request, now=now)
    counts = {g.pk: g for g in queries.group_counts(event)}
    payload.update(
        {
            "description": event.description,
            "rules": event.rules,
            "contact_name": event.contact_name,
            "contact_phone": event.contact_phone,
            "expected_participants": event.expected_participants,
            "refund_tiers": [
                {"hours_before": float(t.get("hours_before", 0)), "percent": int(t.get("percent", 0))}
                for t in event.refund_tiers or []
            ],
            "refund_rule": str(describe_refund_tiers(event.refund_tiers or [])),
            "groups": [
                {
                    "id": g.pk,
                    "name": g.name,
                    "fee": money(_price(g, event)),
                    "quota": g.quota,
                    "taken": g.taken,
                    "places_left": g.places_left,
                    "waitlisted": getattr(counts.get(g.pk), "waitlisted", 0),
                    "waitlist_limit": g.waitlist_limit,
                    "min_age": g.min_age,
                    "max_age": g.max_age,
                    "team_min": g.team_min,
                    "team_max": g.team_max,
                }
                for g in event.groups.all()
            ],
            "questions": [
                {
                    "key": f.key,
                    "label": f.label,
                    "kind": f.kind,
                    "required": f.required,
                    "choices": _choices(f.choices),
                    "help_text": f.help_text,
                    "per_member": f.per_member,
                }
                for f in event.fields.all()
            ],
        }
    )
    return payload


def _masked(answers) -> dict:
    """Answers as the API shows them: resident ID numbers masked."""
    if not isinstance(answers, dict):
        return {}
    return {
        key: mask_id_number(value) if isinstance(value, str) and ID_NUMBER_RE.match(value) else value
        for key, value in answers.items()
    }


def order_brief(order) -> dict | None:
    if order is None:
        return None
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "amount": money(order.amount),
        "refunded_amount": money(order.refunded_amount),
        "expires_at": local(order.expires_at),
    }


def registration_payload(registration: Registration, *, positions: dict[int, int] | None = None) -> dict:
    if positions is None:
        positions = queries.waitlist_positions([registration])
    event = registration.event
    return {
        "id": registration.pk,
        "status": registration.status,
        "status_label": str(registration.get_status_display()),
        "event": {
            "id": event.pk,
            "title": event.title,
            "starts_at": local(event.starts_at),
            "ends_at": local(event.ends_at),
            "location": event.location or (event.venue.address if event.venue_id else ""),
        },
        "group": {"id": registration.group_id, "name": registration.group.name},
        "participant_name": registration.participant_name,
        "team_name": registration.team_name,
        "members": [
            {"name": str(m.get("name", "")), "answers": _masked(m.get("answers"))}
            for m in registration.members or []
            if isinstance(m, dict)
        ],
        "answers": _masked(registration.answers),
        "bib": registration.bib,
        "waitlist_position": positions.get(registration.pk),
        "order": order_brief(registration.order),
        "created_at": local(registration.created_at),
        "promoted_at": local(registration.promoted_at),
        "confirmed_at": local(registration.confirmed_at),
        "closed_at": local(registration.closed_at),
        "close_reason": registration.close_reason,
    }


def _int_id(value) -> int:
    if not str(value).isdecimal() or len(str(value)) > 18:
        raise NotFound()
    return int(value)


# --- events ------------------------------------------------------------------------------------

PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number."),
    OpenApiParameter("page_size", int, description="Up to 100."),
]
EVENT_NOT_FOUND = error_response("No published event has this id.")


@extend_schema_view(
    get=extend_schema(
        operation_id="events_list",
        summary="Search published events",
        description=(
            "Published (approved, not cancelled) events matching every filter, 20 a page. Events not yet "
            "over first, soonest first; past events last, latest first. `places_left` may be up to 30 "
            "seconds old."
        ),
        parameters=[EventListQuerySerializer, *PAGE_PARAMETERS],
        responses={
            200: EventListItemSerializer(many=True),
            400: error_response("Bad filter (`fields` says which)."),
            404: error_response("No such page."),
        },
        tags=["events"],
    )
)
class EventListView(PublicReadView, generics.ListAPIView):
    serializer_class = EventListItemSerializer
    cache_seconds = 30

    def list(self, request, *args, **kwargs):
        query = EventListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        if f.get("sport") and not Sport.objects.filter(code=f["sport"]).exists():
            raise ValidationFailed(fields={"sport": [_("Unknown sport code.")]})
        now = timezone.now()
        qs = queries.published_events(
            q=f.get("q", ""),
            sport=f.get("sport") or None,
            region=f.get("region") or None,
            date_from=f.get("date_from"),
            date_to=f.get("date_to"),
            fee=f.get("fee") or None,
            open_only=bool(f.get("open")),
            now=now,
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response([event_payload(e, request=request, now=now) for e in page])


class EventDetailView(PublicReadView):
    cache_seconds = 15

    @extend_schema(
        operation_id="events_retrieve",
        summary="One published event",
        description=(
            "Groups with fees, places left and waiting lists, the sign-up questions, refund rules. "
            "Unpublished and cancelled events answer 404."
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Event id.")],
        responses={200: EventDetailSerializer, 404: EVENT_NOT_FOUND},
        tags=["events"],
    )
    def get(self, request, id: int):
        event = queries.event_detail(id)
        return Response(event_detail_payload(event, request=request))


class EventRegisterView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="event_register",
        summary="Sign up for an event",
        description=(
            "201 with the registration and its order: `pending_payment` with an order to pay "
            "(`/api/v1/orders/{id}/pay`, held 15 minutes), `confirmed` for a free entry (its order of 0 is "
            "paid and the e-ticket issued), or `waitlisted` with `order` null when the group is full "
            "(promoted automatically when a place frees, with 24 hours to pay). 400 names each invalid "
            "answer (`fields`: the question key, `members.<i>.<key>`, `team_name`, `group`). 409 "
            "`registration_closed`, `already_registered`, `group_full` (waiting list full too), "
            "`idempotency_key_reused`."
        ),
        parameters=[
            OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Event id."),
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="A retry with the same key returns the first sign-up.",
            ),
        ],
        request=RegisterRequestSerializer,
        responses={
            201: RegisterResponseSerializer,
            400: error_response("Invalid answers or group (`fields` says which)."),
            401: error_response("Not signed in."),
            404: EVENT_NOT_FOUND,
            409: error_response("Sign-up closed, already signed up, or the group and its waiting list are full."),
        },
        tags=["events"],
    )
    def post(self, request, id: str):
        event = queries.event_for_signup(_int_id(id))
        data = RegisterRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        groups = list(event.groups.all())
        if "group" in v:
            group = next((g for g in groups if g.pk == v["group"]), None)
        else:
            group = groups[0] if len(groups) == 1 else None
        if group is None:
            raise ValidationFailed(fields={"group": [_("Choose one of this event's groups.")]})
        key = v.get("idempotency_key") or request.headers.get("Idempotency-Key", "")
        registration = register(
            event=event,
            group=group,
            user=request.user,
            participant_name=v["participant_name"],
            answers=v.get("answers") or {},
            team_name=v.get("team_name", ""),
            members=[dict(m) for m in v.get("members") or []],
            actor=request.user,
            idempotency_key=key[:64],
        )
        registration = queries.my_registration(user=request.user, pk=registration.pk)
        return Response(
            {"registration": registration_payload(registration), "order": order_brief(registration.order)},
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    get=extend_schema(
        operation_id="me_registrations",
        summary="My event sign-ups",
        description="Newest first.",
        parameters=[MyRegistrationsQuerySerializer, *PAGE_PARAMETERS],
        responses={
            200: RegistrationSerializer(many=True),
            400: error_response("Bad filter."),
            401: error_response("Not signed in."),
            404: error_response("No such page."),
        },
        tags=["events"],
    )
)
class MyRegistrationsView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = RegistrationSerializer

    def list(self, request, *args, **kwargs):
        query = MyRegistrationsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = queries.my_registrations(request.user, status=query.validated_data.get("status"))
        page = self.paginate_queryset(qs)
        positions = queries.waitlist_positions(page)
        return self.get_paginated_response([registration_payload(r, positions=positions) for r in page])


REGISTRATION_NOT_FOUND = error_response("No such sign-up of yours.")


class RegistrationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="registration_retrieve",
        summary="One of my event sign-ups",
        parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Sign-up id.")],
        responses={200: RegistrationSerializer, 401: error_response("Not signed in."), 404: REGISTRATION_NOT_FOUND},
        tags=["events"],
    )
    def get(self, request, id: str):
        return Response(registration_payload(queries.my_registration(user=request.user, pk=_int_id(id))))


class RegistrationWithdrawView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="registration_withdraw",
        summary="Withdraw one of my event sign-ups",
        description=(
            "Waitlisted: leaves the list. Holding a place: the order is cancelled — unpaid, closed; paid, "
            "refunded per the event's refund rules by hours before the start (see `order.refunded_amount` "
            "once the refund went through). The place goes to the next on the waiting list. 409 "
            "`illegal_transition` (already closed), `event_started`, `checked_in`."
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Sign-up id.")],
        request=RegistrationWithdrawRequestSerializer,
        responses={
            200: RegistrationSerializer,
            400: error_response("Bad input."),
            401: error_response("Not signed in."),
            404: REGISTRATION_NOT_FOUND,
            409: error_response("Already closed, started, checked in, or the payment could not be stopped."),
        },
        tags=["events"],
    )
    def post(self, request, id: str):
        registration = queries.my_registration(user=request.user, pk=_int_id(id))
        data = RegistrationWithdrawRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        withdraw_registration(
            registration=registration, actor=request.user, reason=data.validated_data.get("reason", "")
        )
        return Response(registration_payload(queries.my_registration(user=request.user, pk=registration.pk)))
