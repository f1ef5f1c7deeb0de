"""The training API (API.md, "Events, courses"):

- GET  /api/v1/courses, /api/v1/courses/{id}: published courses (anonymous, cacheable);
- POST /api/v1/courses/{id}/enrolments: enrol → 201 with the enrolment and its order (null while
  waitlisted; a free course's order of 0 is paid at once);
- GET  /api/v1/me/enrolments, POST /api/v1/enrolments/{id}/withdraw;
- GET  /api/v1/coaches, /api/v1/coaches/{id}: public coach profiles with certificates.

Views parse input, call one domain function or query, and render; the rules live in
training.domain and training.queries."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from sportsplatform.api.public import PublicReadView
from sportsplatform.api.schema import error_response
from sportsplatform.core.errors import NotFound, ValidationFailed
from sportsplatform.venues.models import Sport

from . import queries
from .domain.enrolments import enrol, withdraw_enrolment
from .models import Coach, Course, Enrolment
from .serializers import (
    CoachDetailSerializer,
    CoachListQuerySerializer,
    CoachSerializer,
    CourseDetailSerializer,
    CourseListItemSerializer,
    CourseListQuerySerializer,
    EnrolmentSerializer,
    EnrolRequestSerializer,
    MyEnrolmentsQuerySerializer,
    WithdrawRequestSerializer,
    local,
    money,
)

# --- payloads --------------------------------------------------------------------------------


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


def course_payload(course: Course, *, request=None, now=None) -> dict:
    now = now or timezone.now()
    return {
        "id": course.pk,
        "title": course.title,
        "sport": _sport(course.sport),
        "level": course.level,
        "organiser": {"id": course.organiser_id, "name": course.organiser.name},
        "region_code": course.region_id,
        "region_name": course.region.name,
        "venue": {"id": course.venue.pk, "name": course.venue.name} if course.venue_id else None,
        "place": course.place or (course.venue.address if course.venue_id else ""),
        "fee": money(course.fee),
        "quota": course.quota,
        "places_left": course.places_left,
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "enrol_opens_at": local(course.enrol_opens_at),
        "enrol_closes_at": local(course.enrol_closes_at),
        "enrolment_open": course.enrolment_open(now),
        "schedule": course.schedule_note,
        "min_age": course.min_age,
        "max_age": course.max_age,
        "cover": _absolute(request, course.cover.url) if course.cover else None,
        "coaches": [{"id": c.pk, "name": c.name} for c in course.coaches.all()],
        "url": _absolute(request, _url("training:detail", course.pk)),
    }


def certificate_payload(certificate) -> dict:
    return {
        "kind": certificate.kind,
        "kind_label": str(certificate.get_kind_display()),
        "name": certificate.name,
        "level": certificate.level,
        "number": certificate.number,
        "issued_by": certificate.issued_by,
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "status": queries.certificate_status(certificate),
    }


def coach_payload(coach: Coach, *, request=None) -> dict:
    today = timezone.localdate()
    certificates = list(coach.certificates.all())
    return {
        "id": coach.pk,
        "name": coach.name,
        "gender": coach.gender,
        "photo": _absolute(request, coach.photo.url) if coach.photo else None,
        "years_coaching": coach.years_coaching,
        "bio": coach.bio,
        "organisation": {"id": coach.organisation_id, "name": coach.organisation.name},
        "sports": [_sport(s) for s in coach.sports.all()],
        "certified": any(c.is_valid(today) for c in certificates),
        "certificates": [certificate_payload(c) for c in certificates],
    }


def course_brief(course: Course) -> dict:
    return {
        "id": course.pk,
        "title": course.title,
        "sport": _sport(course.sport),
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "fee": money(course.fee),
    }


def course_detail_payload(course: Course, *, request=None) -> dict:
    from sportsplatform.booking.domain.handler import describe_refund_tiers

    payload = course_payload(course, request=request)
    payload.update(
        {
            "description": course.description,
            "audience": course.audience,
            "linked_exam": course.linked_exam,
            "linked_event": (
                {"id": course.linked_event.pk, "title": course.linked_event.title} if course.linked_event_id else None
            ),
            "refund_tiers": [
                {"hours_before": float(t.get("hours_before", 0)), "percent": int(t.get("percent", 0))}
                for t in course.refund_tiers or []
            ],
            "refund_rule": str(describe_refund_tiers(course.refund_tiers or [])),
            "contact_phone": course.contact_phone,
            "sessions": [
                {
                    "id": s.pk,
                    "starts_at": local(s.starts_at),
                    "ends_at": local(s.ends_at),
                    "topic": s.topic,
                    "place": s.place,
                    "coach_id": s.coach_id,
                }
                for s in course.sessions.all()
            ],
            "coaches": [coach_payload(c, request=request) for c in course.coaches.all()],
            "videos": [
                {
                    "id": v.pk,
                    "title": v.title,
                    "duration_seconds": v.duration_seconds,
                    "is_preview": v.is_preview,
                }
                for v in course.videos.all()
            ],
        }
    )
    return payload


def enrolment_payload(enrolment: Enrolment, *, positions: dict[int, int] | None = None) -> dict:
    order = enrolment.order
    if positions is None:
        positions = queries.waitlist_positions([enrolment])
    return {
        "id": enrolment.pk,
        "status": enrolment.status,
        "status_label": str(enrolment.get_status_display()),
        "course": course_brief(enrolment.course),
        "student_name": enrolment.student_name,
        "waitlist_position": positions.get(enrolment.pk),
        "order": (
            {
                "id": order.pk,
                "number": order.number,
                "status": order.status,
                "amount": money(order.amount),
                "refunded_amount": money(order.refunded_amount),
                "expires_at": local(order.expires_at),
            }
            if order is not None
            else None
        ),
        "created_at": local(enrolment.created_at),
        "confirmed_at": local(enrolment.confirmed_at),
        "closed_at": local(enrolment.closed_at),
        "close_reason": enrolment.close_reason,
    }


def _int_id(value) -> int:
    if not str(value).isdecimal() or len(str(value)) > 18:
        raise NotFound()
    return int(value)


# --- courses ---------------------------------------------------------------------------------

PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number."),
    OpenApiParameter("page_size", int, description="Up to 100."),
]
COURSE_NOT_FOUND = error_response("No published course has this id.")


@extend_schema_view(
    get=extend_schema(
        operation_id="courses_list",
        summary="Search published courses",
        description=(
            "Published (approved, not cancelled) courses matching every filter, 20 a page. Running and "
            "upcoming courses first, soonest start first; ended ones last."
        ),
        parameters=[CourseListQuerySerializer, *PAGE_PARAMETERS],
        responses={
            200: CourseListItemSerializer(many=True),
            400: error_response("Bad filter (`fields` says which)."),
            404: error_response("No such page."),
        },
        tags=["courses"],
    )
)
class CourseListView(PublicReadView, generics.ListAPIView):
    serializer_class = CourseListItemSerializer
    cache_seconds = 30

    def list(self, request, *args, **kwargs):
        query = CourseListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        if f.get("sport") and not Sport.objects.filter(code=f["sport"]).exists():
            raise ValidationFailed(fields={"sport": [str(_unknown_sport())]})
        now = timezone.now()
        qs = queries.published_courses(
            q=f.get("q", ""),
            sport=f.get("sport") or None,
            region=f.get("region") or None,
            date_from=f.get("date_from"),
            date_to=f.get("date_to"),
            fee=f.get("fee") or None,
            open_only=bool(f.get("open")),
            level=f.get("level") or None,
            now=now,
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response([course_payload(c, request=request, now=now) for c in page])


def _unknown_sport():
    from django.utils.translation import gettext

    return gettext("Unknown sport code.")


class CourseDetailView(PublicReadView):
    cache_seconds = 15

    @extend_schema(
        operation_id="courses_retrieve",
        summary="One published course",
        description=(
            "Sessions, coaches with their certificates, places left, fee, refund rules and the list of "
            "videos (watched through the web page). Unpublished courses answer 404."
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Course id.")],
        responses={200: CourseDetailSerializer, 404: COURSE_NOT_FOUND},
        tags=["courses"],
    )
    def get(self, request, id: int):
        course = queries.course_detail(id)
        return Response(course_detail_payload(course, request=request))


class CourseEnrolView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="course_enrol",
        summary="Enrol in a course",
        description=(
            "201 with the enrolment: `pending_payment` with an order to pay (`/api/v1/orders/{id}/pay`), "
            "`confirmed` for a free course (its order of 0 is paid at once), or `waitlisted` with "
            "`order` null when the class is full (promoted automatically when a place frees). 409 "
            "`enrolment_closed`, `already_enrolled`, `idempotency_key_reused`."
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Course id.")],
        request=EnrolRequestSerializer,
        responses={
            201: EnrolmentSerializer,
            400: error_response("Bad input (`fields` says which: age limit, phone, name)."),
            401: error_response("Not signed in."),
            404: COURSE_NOT_FOUND,
            409: error_response("Enrolment not open, or already enrolled."),
        },
        tags=["courses"],
    )
    def post(self, request, id: str):
        course = queries.course_detail(_int_id(id))
        data = EnrolRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        enrolment = enrol(
            course=course,
            user=request.user,
            student_name=v["student_name"],
            student_birth_date=v.get("student_birth_date"),
            guardian_phone=v.get("guardian_phone", ""),
            note=v.get("note", ""),
            idempotency_key=v.get("idempotency_key") or request.headers.get("Idempotency-Key", ""),
        )
        enrolment = queries.my_enrolment(request.user, enrolment.pk)
        return Response(enrolment_payload(enrolment), status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        operation_id="me_enrolments",
        summary="My course enrolments",
        description="Newest first.",
        parameters=[MyEnrolmentsQuerySerializer, *PAGE_PARAMETERS],
        responses={
            200: EnrolmentSerializer(many=True),
            400: error_response("Bad filter."),
            401: error_response("Not signed in."),
            404: error_response("No such page."),
        },
        tags=["courses"],
    )
)
class MyEnrolmentsView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = EnrolmentSerializer

    def list(self, request, *args, **kwargs):
        query = MyEnrolmentsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = queries.my_enrolments(request.user)
        if st := query.validated_data.get("status"):
            qs = qs.filter(status=st)
        page = self.paginate_queryset(qs)
        positions = queries.waitlist_positions(page)
        return self.get_paginated_response([enrolment_payload(e, positions=positions) for e in page])


class EnrolmentWithdrawView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="enrolment_withdraw",
        summary="Withdraw one of my enrolments",
        description=(
            "Waitlisted: leaves the list. Holding a place: the order is cancelled — unpaid, closed; paid, "
            "refunded per the course's refund rules counted back from the first session (see "
            "`order.refunded_amount`). The place goes to the waiting list. 409 `illegal_transition` when "
            "already closed."
        ),
        parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Enrolment id.")],
        request=WithdrawRequestSerializer,
        responses={
            200: EnrolmentSerializer,
            400: error_response("Bad input."),
            401: error_response("Not signed in."),
            404: error_response("No such enrolment of yours."),
            409: error_response("Already closed, or the payment service could not stop the payment."),
        },
        tags=["courses"],
    )
    def post(self, request, id: str):
        enrolment = queries.my_enrolment(request.user, _int_id(id))
        data = WithdrawRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        withdraw_enrolment(enrolment=enrolment, actor=request.user, reason=data.validated_data.get("reason", ""))
        return Response(enrolment_payload(queries.my_enrolment(request.user, enrolment.pk)))


# --- coaches ---------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="coaches_list",
        summary="Public coach profiles",
        description="Certified coaches first, then by years coaching.",
        parameters=[CoachListQuerySerializer, *PAGE_PARAMETERS],
        responses={
            200: CoachSerializer(many=True),
            400: error_response("Bad filter."),
            404: error_response("No such page."),
        },
        tags=["courses"],
    )
)
class CoachListView(PublicReadView, generics.ListAPIView):
    serializer_class = CoachSerializer

    def list(self, request, *args, **kwargs):
        query = CoachListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        f = query.validated_data
        qs = queries.public_coaches(q=f.get("q", ""), sport=f.get("sport") or None, region=f.get("region") or None)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response([coach_payload(c, request=request) for c in page])


class CoachDetailView(PublicReadView):
    @extend_schema(
        operation_id="coaches_retrieve",
        summary="One coach's public profile",
        description="Certificates (with validity) and the published courses they teach that have not ended.",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Coach id.")],
        responses={200: CoachDetailSerializer, 404: error_response("No public coach has this id.")},
        tags=["courses"],
    )
    def get(self, request, id: int):
        coach = queries.coach_detail(id)
        payload = coach_payload(coach, request=request)
        payload["courses"] = [course_brief(c) for c in coach.upcoming_courses]
        return Response(payload)
