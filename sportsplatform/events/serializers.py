"""Serializers of the events API (API.md, "Events, courses"): the query parameters and bodies it
reads, and the shape of its answers (for the OpenAPI schema; the views build the answers as
dicts). Money is a string of yuan with two decimals, times ISO 8601 with the +08:00 offset."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sportsplatform.core.signups import SignupStatus
from sportsplatform.orders.models import OrderStatus
from sportsplatform.venues.api import NamedEnumField

from .models import EntryMode, EventLevel, FieldKind

FEE_CHOICES = (("free", _("free")), ("paid", _("paid")))


def money(value) -> str:
    return f"{value:.2f}"


def local(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


# --- query parameters and bodies ---------------------------------------------------------------


class EventListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="Words of the name, place, venue or organiser."
    )
    sport = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="A sport code, e.g. `athletics`, `badminton`."
    )
    region = serializers.RegexField(
        r"^[1-9][0-9]{5}$",
        required=False,
        allow_blank=True,
        help_text="Six-digit division code (county, city or province): events inside it.",
    )
    date_from = serializers.DateField(required=False, help_text="Events running on or after this day.")
    date_to = serializers.DateField(required=False, help_text="Events running on or before this day.")
    fee = serializers.ChoiceField(
        FEE_CHOICES, required=False, allow_blank=True, help_text="`free`: no group charges; `paid`: some group does."
    )
    open = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true (or 1): sign-up open now."
    )

    def validate(self, attrs):
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and end < start:
            raise serializers.ValidationError({"date_to": [_("The end date cannot be before the start date.")]})
        return attrs


class RegistrationMemberRequestSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, allow_blank=True, help_text="The member's name.")
    answers = serializers.DictField(
        required=False, default=dict, help_text="Answers to the questions asked of every member (`per_member`)."
    )


class RegisterRequestSerializer(serializers.Serializer):
    group = serializers.IntegerField(
        required=False, min_value=1, help_text="The entry group's id; may be left out when the event has one group."
    )
    participant_name = serializers.CharField(max_length=64, help_text="Who takes part (the team leader for teams).")
    answers = serializers.DictField(
        required=False,
        default=dict,
        help_text='Answers by question key. An emergency contact is {"name", "phone"}; the rest are strings.',
    )
    team_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    members = RegistrationMemberRequestSerializer(
        many=True, required=False, default=list, help_text="Team events: the other members (not the registrant)."
    )
    idempotency_key = serializers.CharField(
        required=False, max_length=64, help_text="Or the Idempotency-Key header: a retry returns the first sign-up."
    )

    def validate_members(self, value):
        if len(value) > 100:
            raise serializers.ValidationError(_("At most %(n)d members.") % {"n": 100})
        return value


class RegistrationWithdrawRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class MyRegistrationsQuerySerializer(serializers.Serializer):
    status = NamedEnumField(SignupStatus.choices, enum_name="SignupStatusEnum", required=False)


# --- answers -----------------------------------------------------------------------------------


class EventNamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EventSportSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class GroupBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    fee = serializers.CharField(help_text='Yuan, e.g. "35.00".')
    quota = serializers.IntegerField()
    places_left = serializers.IntegerField()


class EventListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    sport = EventSportSerializer()
    level = NamedEnumField(EventLevel.choices, enum_name="EventLevelEnum")
    entry_mode = NamedEnumField(EntryMode.choices, enum_name="EventEntryModeEnum")
    organiser = EventNamedSerializer()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    venue = EventNamedSerializer(allow_null=True)
    location = serializers.CharField(help_text="The place: the venue's address when the event is at a venue.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    registration_opens_at = serializers.DateTimeField()
    registration_closes_at = serializers.DateTimeField()
    registration_open = serializers.BooleanField(help_text="Sign-up open now.")
    fee = serializers.CharField(help_text='The event\'s fee in yuan, e.g. "35.00" (a group may set its own).')
    fee_min = serializers.CharField(help_text="The lowest fee of its groups.")
    fee_max = serializers.CharField(help_text="The highest fee of its groups.")
    places_left = serializers.IntegerField(help_text="Free places over all groups.")
    groups = GroupBriefSerializer(many=True)
    cover = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True, help_text="The public web page.")


class GroupSerializer(GroupBriefSerializer):
    taken = serializers.IntegerField()
    waitlisted = serializers.IntegerField(help_text="People on the waiting list.")
    waitlist_limit = serializers.IntegerField(help_text="0: no limit.")
    min_age = serializers.IntegerField(allow_null=True, help_text="Age on the event day, from the ID number.")
    max_age = serializers.IntegerField(allow_null=True)
    team_min = serializers.IntegerField(help_text="Team size including the registrant.")
    team_max = serializers.IntegerField()


class QuestionChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The key of its answer in `answers`.")
    label = serializers.CharField()
    kind = NamedEnumField(FieldKind.choices, enum_name="RegistrationFieldKindEnum")
    required = serializers.BooleanField()
    choices = QuestionChoiceSerializer(many=True, help_text="For `choice` questions.")
    help_text = serializers.CharField()
    per_member = serializers.BooleanField(help_text="Team events: asked of every member.")


class EventRefundTierSerializer(serializers.Serializer):
    hours_before = serializers.FloatField()
    percent = serializers.IntegerField()


class EventDetailSerializer(EventListItemSerializer):
    description = serializers.CharField()
    rules = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    expected_participants = serializers.IntegerField()
    refund_tiers = EventRefundTierSerializer(many=True)
    refund_rule = serializers.CharField(help_text="The refund rules in words.")
    groups = GroupSerializer(many=True)
    questions = QuestionSerializer(many=True, help_text="The sign-up form.")


class RegistrationOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = NamedEnumField(OrderStatus.choices, enum_name="OrderStatusEnum")
    amount = serializers.CharField()
    refunded_amount = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Pay by then (null once paid or free).")


class EventBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField()


class RegistrationGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RegistrationMemberSerializer(serializers.Serializer):
    name = serializers.CharField()
    answers = serializers.DictField(help_text="ID numbers masked.")


class RegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = NamedEnumField(SignupStatus.choices, enum_name="SignupStatusEnum")
    status_label = serializers.CharField()
    event = EventBriefSerializer()
    group = RegistrationGroupSerializer()
    participant_name = serializers.CharField()
    team_name = serializers.CharField()
    members = RegistrationMemberSerializer(many=True)
    answers = serializers.DictField(help_text="ID numbers masked (510104********1234).")
    bib = serializers.CharField()
    waitlist_position = serializers.IntegerField(allow_null=True, help_text="1 = next to be promoted.")
    order = RegistrationOrderSerializer(allow_null=True, help_text="null while waitlisted.")
    created_at = serializers.DateTimeField()
    promoted_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    close_reason = serializers.CharField()


class RegisterResponseSerializer(serializers.Serializer):
    registration = RegistrationSerializer()
    order = RegistrationOrderSerializer(
        allow_null=True,
        help_text="Pay it with /api/v1/orders/{id}/pay when `pending_payment`; a free entry's order of 0 is "
        "paid already; null while waitlisted.",
    )
