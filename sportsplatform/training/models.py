"""Training (体育培训): institutions and venue operators apply to offer a course, the bureau of
its region approves it, people enrol and pay (the order system, kind "course"), attendance is
taken per session, and course videos are shown only to enrolled people. Coaches are public
profiles with their certificates."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sportsplatform.approvals.models import ApprovalStatus, ReviewedApplication
from sportsplatform.core.signups import SignupStatus, active_signup_constraint, capacity_constraints


class Gender(models.TextChoices):
    FEMALE = "f", _("female")
    MALE = "m", _("male")


class Coach(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="coaches", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="coach_profiles"
    )
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    photo = models.ImageField(_("photo"), upload_to="training/coaches/", blank=True)
    sports = models.ManyToManyField("venues.Sport", related_name="coaches", verbose_name=_("sports"), blank=True)
    years_coaching = models.PositiveSmallIntegerField(_("years coaching"), default=0)
    bio = models.TextField(_("introduction"), blank=True)
    phone = models.CharField(_("phone (not public)"), max_length=20, blank=True)
    is_public = models.BooleanField(_("shown to the public"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation_id", "name", "id"]
        verbose_name = _("coach")
        verbose_name_plural = _("coaches")

    scope_region_field = "organisation__region"
    scope_organisation_field = "organisation_id"

    def __str__(self):
        return self.name


class CertificateKind(models.TextChoices):
    SOCIAL_INSTRUCTOR = "instructor", _("social sports instructor (社会体育指导员)")
    COACH = "coach", _("coach qualification")
    REFEREE = "referee", _("referee")
    VOCATIONAL = "vocational", _("vocational qualification")
    LIFEGUARD = "lifeguard", _("lifeguard")
    OTHER = "other", _("other")


class CoachCertificate(models.Model):
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("kind"), max_length=12, choices=CertificateKind.choices)
    name = models.CharField(_("certificate"), max_length=128)
    level = models.CharField(pgettext_lazy("certificate", "level"), max_length=32, blank=True)  # 国家级/一级/二级/三级
    number = models.CharField(_("certificate number"), max_length=64)
    issued_by = models.CharField(_("issued by"), max_length=128)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scan = models.FileField(_("scan"), upload_to="private/training/certificates/", blank=True)

    class Meta:
        ordering = ["coach_id", "-issued_on"]
        verbose_name = _("coach certificate")
        verbose_name_plural = _("coach certificates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="coach_certificate_unique_number"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("issued_on")),
                name="coach_certificate_validity",
            ),
        ]

    scope_region_field = "coach__organisation__region"
    scope_organisation_field = "coach__organisation_id"

    def __str__(self):
        return f"{self.name} {self.level}".strip()

    def is_valid(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.valid_until is None or self.valid_until >= on


class CourseLevel(models.TextChoices):
    BEGINNER = "beginner", _("beginner")
    INTERMEDIATE = "intermediate", _("intermediate")
    ADVANCED = "advanced", _("advanced")
    CERTIFICATION = "certification", _("certification course")


class Course(ReviewedApplication):
    title = models.CharField(_("course name"), max_length=128)
    sport = models.ForeignKey("venues.Sport", on_delete=models.PROTECT, related_name="courses", verbose_name=_("sport"))
    level = models.CharField(
        pgettext_lazy("course", "level"), max_length=14, choices=CourseLevel.choices, default=CourseLevel.BEGINNER
    )
    organiser = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="courses", verbose_name=_("organiser")
    )
    venue = models.ForeignKey(
        "venues.Venue", on_delete=models.PROTECT, null=True, blank=True, related_name="courses", verbose_name=_("venue")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="courses", verbose_name=_("county-level region")
    )
    place = models.CharField(_("place"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("for whom"), max_length=128, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    fee = models.DecimalField(
        _("fee (yuan)"), max_digits=8, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    quota = models.PositiveIntegerField(_("class size"))
    taken = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    enrol_opens_at = models.DateTimeField(_("enrolment opens"))
    enrol_closes_at = models.DateTimeField(_("enrolment closes"))
    schedule_note = models.CharField(_("schedule"), max_length=128, blank=True)  # 每周六 9:00-11:00
    coaches = models.ManyToManyField(Coach, related_name="courses", verbose_name=_("coaches"), blank=True)
    linked_exam = models.CharField(
        _("linked exam or grading"),
        max_length=128,
        blank=True,
        help_text=_("E.g. a swimming grade test."),
    )
    linked_event = models.ForeignKey(
        "events.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("linked competition"),
    )
    refund_tiers = models.JSONField(_("refund rules"), default=list, blank=True)
    cover = models.ImageField(_("cover image"), upload_to="training/covers/", blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        indexes = [
            models.Index(fields=["status", "starts_on"], name="course_status_start"),
            models.Index(fields=["region", "status"], name="course_region_status"),
        ]
        constraints = [
            *capacity_constraints("course"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="course_ends_after_start"),
            models.CheckConstraint(condition=Q(enrol_closes_at__gte=F("enrol_opens_at")), name="course_enrol_window"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="course_fee_not_negative"),
        ]

    scope_region_field = "region"
    scope_organisation_field = "organiser_id"

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ApprovalStatus.APPROVED and self.cancelled_at is None

    def enrolment_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_published and self.enrol_opens_at <= now < self.enrol_closes_at

    @property
    def places_left(self) -> int:
        return max(self.quota - self.taken, 0)

    def check_complete(self) -> None:
        """Called on submit (approvals): raises ValidationFailed naming what is missing — sessions,
        coaches of the organiser with a certificate valid until the course ends, a place."""
        from .domain.courses import check_complete

        check_complete(self)


class CourseSession(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    topic = models.CharField(_("topic"), max_length=128, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    coach = models.ForeignKey(Coach, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions")

    class Meta:
        ordering = ["course_id", "starts_at", "id"]
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="course_session_ends_after_start"),
        ]

    scope_region_field = "course__region"
    scope_organisation_field = "course__organiser_id"

    def __str__(self):
        return f"{self.course} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Enrolment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="course_enrolments")
    status = models.CharField(_("status"), max_length=16, choices=SignupStatus.choices, db_index=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="course_enrolments"
    )
    student_name = models.CharField(_("student"), max_length=64)
    student_birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    guardian_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    waitlisted_at = models.DateTimeField(_("joined waiting list"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=255, blank=True)
    # The client's Idempotency-Key: a retried enrolment returns the first one.
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["course_id", "created_at", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        indexes = [
            models.Index(
                fields=["course", "waitlisted_at", "id"], condition=Q(status="waitlisted"), name="course_waitlist_order"
            ),
            models.Index(fields=["user", "-created_at"], name="enrolment_user_recent"),
        ]
        constraints = [
            active_signup_constraint(fields=["course", "user"], name="enrolment_one_active_per_user"),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], condition=~Q(idempotency_key=""), name="enrolment_idempotency_key"
            ),
            models.CheckConstraint(condition=Q(status__in=SignupStatus.values), name="enrolment_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False), name="enrolment_waitlist_time"
            ),
        ]

    scope_region_field = "course__region"
    scope_organisation_field = "course__organiser_id"

    def __str__(self):
        return f"{self.student_name} · {self.course}"


class Attendance(models.Model):
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once_per_session")]

    scope_region_field = "session__course__region"
    scope_organisation_field = "session__course__organiser_id"

    def __str__(self):
        return f"{self.enrolment} · {self.session}"


class CourseVideo(models.Model):
    """Served only through training views that check the viewer's enrolment (files live under
    media/private/, which is never served directly)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="videos")
    title = models.CharField(_("title"), max_length=128)
    file = models.FileField(_("video file"), upload_to="private/training/videos/")
    duration_seconds = models.PositiveIntegerField(_("length (s)"), default=0)
    is_preview = models.BooleanField(_("free preview"), default=False, help_text=_("Visible to everyone."))
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort position", "order"), default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course_id", "position", "id"]
        verbose_name = _("course video")
        verbose_name_plural = _("course videos")

    scope_region_field = "course__region"
    scope_organisation_field = "course__organiser_id"

    def __str__(self):
        return self.title
