"""Events (赛事活动): an organiser applies to host one, the bureau of the event's region approves
it, the public registers (individuals or teams, per group with a quota and a waiting list),
pays through the order system, checks in with the booking e-ticket, and results, judges' scores,
certificates and a summary follow.

Money never lives here: a paid registration points at an orders.Order (kind "event") and the
order/payment/ledger apps move the money."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sportsplatform.approvals.models import ApprovalStatus, ReviewedApplication
from sportsplatform.core.signups import SignupStatus, active_signup_constraint, capacity_constraints


class EventLevel(models.TextChoices):
    INTERNATIONAL = "international", _("international")
    NATIONAL = "national", _("national")
    PROVINCIAL = "provincial", _("provincial")
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    COMMUNITY = "community", _("community / mass participation")


class EntryMode(models.TextChoices):
    INDIVIDUAL = "individual", _("individual")
    TEAM = "team", _("team")


class ResultKind(models.TextChoices):
    TIME = "time", _("time (lower is better)")
    SCORE = "score", _("score (higher is better)")
    PLACING = "placing", _("placing only")
    JUDGED = "judged", _("judges' scores")


def _private_upload(instance, filename):
    return f"private/events/{instance.event_id}/{filename}"


def _public_upload(instance, filename):
    return f"events/{instance.event_id}/{filename}"


class Event(ReviewedApplication):
    title = models.CharField(_("event name"), max_length=128)
    sport = models.ForeignKey("venues.Sport", on_delete=models.PROTECT, related_name="events", verbose_name=_("sport"))
    level = models.CharField(
        pgettext_lazy("event", "level"), max_length=16, choices=EventLevel.choices, default=EventLevel.COMMUNITY
    )
    organiser = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="events", verbose_name=_("organiser")
    )
    venue = models.ForeignKey(
        "venues.Venue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("venue"),
        help_text=_("Leave empty for road races and other events outside a venue; then give the place."),
    )
    # The county whose bureau chain reviews the event: the venue's county when there is a venue.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="events", verbose_name=_("county-level region")
    )
    location = models.CharField(_("place"), max_length=255, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    expected_participants = models.PositiveIntegerField(_("expected participants"), default=0)
    entry_mode = models.CharField(_("entry"), max_length=10, choices=EntryMode.choices, default=EntryMode.INDIVIDUAL)
    fee = models.DecimalField(
        _("entry fee (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Default fee of each group; a group may set its own."),
    )
    # [{"hours_before": 72, "percent": 100}, {"hours_before": 24, "percent": 50}]: as venue policies.
    refund_tiers = models.JSONField(_("refund rules"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    rules = models.TextField(_("rules (竞赛规程)"), blank=True)
    cover = models.ImageField(_("cover image"), upload_to="events/covers/", blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    safety_plan = models.FileField(_("safety plan"), upload_to="private/events/safety/", blank=True)
    result_kind = models.CharField(_("results"), max_length=10, choices=ResultKind.choices, default=ResultKind.PLACING)
    # Judged events: the final score drops this many highest and lowest judges' scores.
    drop_highest = models.PositiveSmallIntegerField(_("drop highest scores"), default=1)
    drop_lowest = models.PositiveSmallIntegerField(_("drop lowest scores"), default=1)
    scoring_closed_at = models.DateTimeField(_("scoring closed at"), null=True, blank=True)
    scoring_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    summary = models.TextField(_("summary (赛事总结)"), blank=True)
    summary_published_at = models.DateTimeField(_("summary published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        verbose_name = _("sports event")
        verbose_name_plural = _("sports events")
        indexes = [
            models.Index(fields=["status", "starts_at"], name="event_status_start"),
            models.Index(fields=["region", "status"], name="event_region_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gte=F("registration_opens_at")),
                name="event_registration_window",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="event_fee_not_negative"),
        ]

    scope_region_field = "region"
    scope_organisation_field = "organiser_id"

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ApprovalStatus.APPROVED and self.cancelled_at is None

    def registration_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_published and self.registration_opens_at <= now < self.registration_closes_at

    # Hooks of approvals.domain.transitions.review_application; the rules live in the domain.
    def check_complete(self) -> None:
        from .domain.applications import check_complete

        check_complete(self)

    def on_approval_step(self, step) -> None:
        from .domain.applications import on_approval_step

        on_approval_step(self, step)


class EventAttachmentKind(models.TextChoices):
    SAFETY_PLAN = "safety_plan", _("safety plan")
    PERMIT = "permit", _("permit or approval")
    INSURANCE = "insurance", _("insurance")
    MEDICAL = "medical", _("medical support plan")
    OTHER = "other", _("other")


class EventAttachment(models.Model):
    """Application documents: seen by the organiser and the reviewing bureau, never public."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=12, choices=EventAttachmentKind.choices)
    title = models.CharField(_("title"), max_length=128, blank=True)
    file = models.FileField(_("file"), upload_to=_private_upload)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_id", "id"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    scope_region_field = "event__region"
    scope_organisation_field = "event__organiser_id"

    def __str__(self):
        return self.title or self.get_kind_display()


class EventGroup(models.Model):
    """A category of entry (组别: 男子10公里, U12, 混合团体) with its own quota and fee."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("group"), max_length=64)
    quota = models.PositiveIntegerField(_("places"))
    taken = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    fee = models.DecimalField(
        _("fee (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True, help_text=_("Empty: the event's fee.")
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    team_min = models.PositiveSmallIntegerField(_("team size from"), default=1, validators=[MinValueValidator(1)])
    team_max = models.PositiveSmallIntegerField(_("team size to"), default=1, validators=[MinValueValidator(1)])
    waitlist_limit = models.PositiveIntegerField(_("waiting list size"), default=0, help_text=_("0: no limit."))
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort position", "order"), default=0)

    class Meta:
        ordering = ["event_id", "position", "id"]
        verbose_name = _("entry group")
        verbose_name_plural = _("entry groups")
        constraints = [
            *capacity_constraints("event_group"),
            models.UniqueConstraint(fields=["event", "name"], name="event_group_unique_name"),
            models.CheckConstraint(condition=Q(team_max__gte=F("team_min")), name="event_group_team_range"),
            models.CheckConstraint(condition=Q(fee__isnull=True) | Q(fee__gte=0), name="event_group_fee_not_negative"),
        ]

    scope_region_field = "event__region"
    scope_organisation_field = "event__organiser_id"

    def __str__(self):
        return f"{self.event} · {self.name}"

    @property
    def price(self) -> Decimal:
        return self.fee if self.fee is not None else self.event.fee

    @property
    def places_left(self) -> int:
        return max(self.quota - self.taken, 0)


class FieldKind(models.TextChoices):
    TEXT = "text", _("text")
    NUMBER = "number", _("number")
    ID_NUMBER = "id_number", _("resident ID number")
    PHONE = "phone", _("mobile phone")
    DATE = "date", _("date")
    CHOICE = "choice", _("choice")
    EMERGENCY_CONTACT = "emergency", _("emergency contact")


class RegistrationField(models.Model):
    """A question the event asks on its sign-up form; answers are stored by `key`."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(_("key"), max_length=32)
    label = models.CharField(_("label"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    help_text = models.CharField(_("help text"), max_length=128, blank=True)
    per_member = models.BooleanField(
        _("asked of every team member"), default=False, help_text=_("Team events: ask each member, not only the team.")
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort position", "order"), default=0)

    class Meta:
        ordering = ["event_id", "position", "id"]
        verbose_name = _("sign-up question")
        verbose_name_plural = _("sign-up questions")
        constraints = [models.UniqueConstraint(fields=["event", "key"], name="registration_field_unique_key")]

    scope_region_field = "event__region"
    scope_organisation_field = "event__organiser_id"

    def __str__(self):
        return self.label


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    group = models.ForeignKey(EventGroup, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="event_registrations")
    status = models.CharField(_("status"), max_length=16, choices=SignupStatus.choices, db_index=True)
    # The current order (a promoted entry gets a new one); null only while waitlisted.
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="event_registrations"
    )
    participant_name = models.CharField(_("participant"), max_length=64)
    team_name = models.CharField(_("team name"), max_length=64, blank=True)
    # Team members: [{"name": ..., "answers": {key: value}}]; the registrant is not repeated here.
    members = models.JSONField(_("team members"), default=list, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    bib = models.CharField(_("bib number"), max_length=16, blank=True)
    waitlisted_at = models.DateTimeField(_("joined waiting list"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=255, blank=True)
    # The client's Idempotency-Key: a retried sign-up returns the first registration.
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["event_id", "created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [
            models.Index(
                fields=["group", "waitlisted_at", "id"], condition=Q(status="waitlisted"), name="event_waitlist_order"
            ),
            models.Index(fields=["user", "-created_at"], name="registration_user_recent"),
        ]
        constraints = [
            active_signup_constraint(fields=["event", "user"], name="registration_one_active_per_user"),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="registration_idempotency_key",
            ),
            models.CheckConstraint(condition=Q(status__in=SignupStatus.values), name="registration_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False), name="registration_waitlist_time"
            ),
        ]

    scope_region_field = "event__region"
    scope_organisation_field = "event__organiser_id"

    def __str__(self):
        return f"{self.participant_name} · {self.event}"


class Result(models.Model):
    """One entry's result. For judged events it is written when the chief judge closes scoring."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="results")
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="result")
    group = models.ForeignKey(EventGroup, on_delete=models.CASCADE, related_name="results")
    value = models.DecimalField(_("time (s) or score"), max_digits=12, decimal_places=3, null=True, blank=True)
    display = models.CharField(_("shown as"), max_length=32, blank=True)  # "01:32:05", "9.45"
    placing = models.PositiveIntegerField(_("placing"), null=True, blank=True)
    # True when the organiser gave the placing; otherwise it is computed from the values.
    placing_given = models.BooleanField(_("placing given"), default=False)
    status_note = models.CharField(_("note"), max_length=32, blank=True)  # DNF, DSQ, DNS
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event_id", "group_id", "placing", "id"]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    scope_region_field = "event__region"
    scope_organisation_field = "event__organiser_id"

    def __str__(self):
        return f"{self.registration} · {self.display or self.placing}"


class Certificate(models.Model):
    """A PDF certificate of participation or placing; its QR opens a public verification page.
    Like tickets, only the SHA-256 of the signed token is stored."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="certificates")
    title = models.CharField(_("title"), max_length=64)  # 完赛证书, 第一名
    code = models.CharField(_("certificate number"), max_length=20, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["registration"], condition=Q(revoked_at__isnull=True), name="certificate_one_valid_per_entry"
            ),
        ]

    scope_region_field = "registration__event__region"
    scope_organisation_field = "registration__event__organiser_id"

    def __str__(self):
        return self.code


class MediaKind(models.TextChoices):
    PHOTO = "photo", _("photo")
    VIDEO = "video", _("video")


class EventMedia(models.Model):
    """Photos and videos of the event summary (public once the summary is published)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(_("kind"), max_length=8, choices=MediaKind.choices)
    file = models.FileField(_("file"), upload_to=_public_upload)
    caption = models.CharField(_("caption"), max_length=128, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort position", "order"), default=0)

    class Meta:
        ordering = ["event_id", "position", "id"]
        verbose_name = _("photo or video")
        verbose_name_plural = _("photos and videos")

    scope_region_field = "event__region"
    scope_organisation_field = "event__organiser_id"

    def __str__(self):
        return self.caption or self.file.name


class JudgeAssignment(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="judges")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judging", verbose_name=_("judge")
    )
    is_chief = models.BooleanField(_("chief judge"), default=False)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_id", "-is_chief", "id"]
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        constraints = [
            models.UniqueConstraint(fields=["event", "judge"], name="judge_once_per_event"),
            models.UniqueConstraint(fields=["event"], condition=Q(is_chief=True), name="one_chief_judge_per_event"),
        ]

    scope_region_field = "event__region"
    scope_organisation_field = "event__organiser_id"

    def __str__(self):
        return f"{self.judge} · {self.event}"


class Score(models.Model):
    """One judge's score of one entry. Private to that judge until scoring closes: read and written
    only through events.domain.judging, which filters by the acting judge."""

    assignment = models.ForeignKey(JudgeAssignment, on_delete=models.PROTECT, related_name="scores")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(
        _("score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("judge's score")
        verbose_name_plural = _("judges' scores")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "registration"], name="score_once_per_judge_entry"),
            models.CheckConstraint(condition=Q(value__gte=0), name="score_not_negative"),
        ]

    # Nobody sees scores through the generic back-office scope: only platform admins.
    scope_region_field = None
    scope_organisation_field = None

    def __str__(self):
        return f"{self.value}"


class EnquiryStatus(models.TextChoices):
    SENT = "sent", _("sent")
    REPLIED = "replied", _("replied")
    CLOSED = "closed", _("closed")


class VenueEnquiry(models.Model):
    """An organisation asks a venue operator about hosting an event (from the venue finder)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="venue_enquiries", null=True, blank=True
    )
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="venue_enquiries")
    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="enquiries")
    sport = models.ForeignKey("venues.Sport", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    participants = models.PositiveIntegerField(_("participants"))
    budget = models.DecimalField(_("budget (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    message = models.TextField(_("message"))
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    status = models.CharField(_("status"), max_length=8, choices=EnquiryStatus.choices, default=EnquiryStatus.SENT)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("venue enquiry")
        verbose_name_plural = _("venue enquiries")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="enquiry_dates_order"),
        ]

    # The venue's operator and bureau see it; the sender sees their own through the finder pages.
    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return f"{self.venue} · {self.starts_on}"
