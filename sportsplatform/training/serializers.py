"""Serializers of the training API (API.md, "Events, courses"): what the answers contain. Money is
a string of yuan with two decimals, times ISO 8601 with the Asia/Shanghai offset."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sportsplatform.core.signups import SignupStatus
from sportsplatform.orders.models import OrderStatus
from sportsplatform.venues.api import NamedEnumField

from .models import CertificateKind, CourseLevel

MONEY = "{:.2f}"
FEE_CHOICES = (("free", _("free")), ("paid", _("paid")))


def money(value) -> str:
    return MONEY.format(value)


def local(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


# --- query parameters ------------------------------------------------------------------------


class CourseListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=64, help_text="Words of the name or place.")
    sport = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="A sport code, e.g. `swimming`."
    )
    region = serializers.RegexField(
        r"^[1-9][0-9]{5}$",
        required=False,
        allow_blank=True,
        help_text="Six-digit division code (county, city or province): courses inside it.",
    )
    date_from = serializers.DateField(required=False, help_text="Courses running on or after this day.")
    date_to = serializers.DateField(required=False, help_text="Courses running on or before this day.")
    fee = serializers.ChoiceField(FEE_CHOICES, required=False, allow_blank=True, help_text="`free` or `paid`.")
    open = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: enrolment open now."
    )
    level = NamedEnumField(CourseLevel.choices, enum_name="CourseLevelEnum", required=False, allow_blank=True)

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError({"date_to": [_("The end date cannot be before the start date.")]})
        return attrs


class CoachListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=64)
    sport = serializers.CharField(required=False, allow_blank=True, max_length=32)
    region = serializers.RegexField(r"^[1-9][0-9]{5}$", required=False, allow_blank=True)


class MyEnrolmentsQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(SignupStatus.choices, required=False)


# --- requests --------------------------------------------------------------------------------


class EnrolRequestSerializer(serializers.Serializer):
    student_name = serializers.CharField(max_length=64, help_text="Who attends (the account holder or a child).")
    student_birth_date = serializers.DateField(
        required=False, allow_null=True, help_text="Needed when the course has an age limit."
    )
    guardian_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text="Contact mobile; the account's phone if omitted."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)
    idempotency_key = serializers.CharField(
        required=False, max_length=64, help_text="Or the Idempotency-Key header: a retry returns the first enrolment."
    )


class WithdrawRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


# --- answers ---------------------------------------------------------------------------------


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SportSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CoachBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CertificateSerializer(serializers.Serializer):
    kind = NamedEnumField(CertificateKind.choices, enum_name="CoachCertificateKindEnum")
    kind_label = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    number = serializers.CharField()
    issued_by = serializers.CharField()
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    status = NamedEnumField(
        (("valid", "valid"), ("expiring", "expiring"), ("expired", "expired")),
        enum_name="CertificateValidityEnum",
        help_text="`expiring`: within 60 days.",
    )


class CoachSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    gender = serializers.CharField(help_text="`f`, `m` or empty.")
    photo = serializers.CharField(allow_null=True)
    years_coaching = serializers.IntegerField()
    bio = serializers.CharField()
    organisation = NamedSerializer()
    sports = SportSerializer(many=True)
    certified = serializers.BooleanField(help_text="Holds at least one certificate valid today.")
    certificates = CertificateSerializer(many=True)


class CourseBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    sport = SportSerializer()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    fee = serializers.CharField()


class CoachDetailSerializer(CoachSerializer):
    courses = CourseBriefSerializer(many=True, help_text="Published courses that have not ended.")


class CourseListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    sport = SportSerializer()
    level = NamedEnumField(CourseLevel.choices, enum_name="CourseLevelEnum")
    organiser = NamedSerializer()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    venue = NamedSerializer(allow_null=True)
    place = serializers.CharField()
    fee = serializers.CharField(help_text='Yuan, e.g. "35.00"; "0.00" is free.')
    quota = serializers.IntegerField(help_text="Class size.")
    places_left = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    enrol_opens_at = serializers.DateTimeField()
    enrol_closes_at = serializers.DateTimeField()
    enrolment_open = serializers.BooleanField()
    schedule = serializers.CharField()
    min_age = serializers.IntegerField(allow_null=True)
    max_age = serializers.IntegerField(allow_null=True)
    cover = serializers.CharField(allow_null=True)
    coaches = CoachBriefSerializer(many=True)
    url = serializers.CharField(allow_null=True, help_text="The public web page.")


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    topic = serializers.CharField()
    place = serializers.CharField()
    coach_id = serializers.IntegerField(allow_null=True)


class RefundTierSerializer(serializers.Serializer):
    hours_before = serializers.FloatField()
    percent = serializers.IntegerField()


class VideoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    duration_seconds = serializers.IntegerField()
    is_preview = serializers.BooleanField(help_text="Free preview, for everyone; the others for enrolled students.")


class CourseDetailSerializer(CourseListItemSerializer):
    description = serializers.CharField()
    audience = serializers.CharField()
    linked_exam = serializers.CharField()
    linked_event = serializers.DictField(allow_null=True, help_text='{"id", "title"} of the linked competition.')
    refund_tiers = RefundTierSerializer(many=True)
    refund_rule = serializers.CharField()
    contact_phone = serializers.CharField()
    sessions = SessionSerializer(many=True)
    coaches = CoachSerializer(many=True)
    videos = VideoSerializer(many=True)


class EnrolmentOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(OrderStatus.choices)
    amount = serializers.CharField()
    refunded_amount = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class EnrolmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(SignupStatus.choices)
    status_label = serializers.CharField()
    course = CourseBriefSerializer()
    student_name = serializers.CharField()
    waitlist_position = serializers.IntegerField(allow_null=True)
    order = EnrolmentOrderSerializer(
        allow_null=True, help_text="null while waitlisted; a free course's order of 0 is paid at once."
    )
    created_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    close_reason = serializers.CharField()
