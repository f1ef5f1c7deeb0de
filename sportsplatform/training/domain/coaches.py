"""Coaches of an organisation and their certificates (kind, level, number — unique per kind —,
issuer, dates, scan kept as a private file). A course may only name its organisation's coaches,
and on submit each must hold a certificate valid until the course ends."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import NotPermitted, ValidationFailed
from sportsplatform.core.scoping import scope_for

from ..models import CertificateKind, Coach, CoachCertificate, Gender

COACH_FIELDS = ("name", "gender", "photo", "years_coaching", "bio", "phone", "is_public", "user")
CERTIFICATE_FIELDS = ("kind", "name", "level", "number", "issued_by", "issued_on", "valid_until", "scan")
SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
SCAN_MAX_BYTES = 10 * 1024 * 1024


def can_manage_coaches(actor, organisation_id: int) -> bool:
    scope = scope_for(actor)
    return scope.everything or scope.allows_organisation(organisation_id)


def _require(actor, organisation_id: int) -> None:
    if not can_manage_coaches(actor, organisation_id):
        raise NotPermitted(_("Only the staff of the organisation can manage its coaches."))


def _apply_coach(coach: Coach, data: dict) -> None:
    unknown = set(data) - set(COACH_FIELDS) - {"sports"}
    if unknown:
        raise ValidationFailed(fields={name: [_("Unknown field.")] for name in sorted(unknown)})
    for name in COACH_FIELDS:
        if name in data:
            value = data[name]
            setattr(coach, name, value.strip() if isinstance(value, str) else value)
    errors = {}
    if not coach.name:
        errors["name"] = [_("Enter the coach's name.")]
    if coach.gender and coach.gender not in Gender.values:
        errors["gender"] = [_("Choose a gender.")]
    if coach.years_coaching is None or not 0 <= int(coach.years_coaching) <= 80:
        errors["years_coaching"] = [_("Years coaching must be between 0 and 80.")]
    if errors:
        raise ValidationFailed(fields=errors)


def create_coach(*, actor, organisation, data: dict) -> Coach:
    _require(actor, organisation.pk)
    coach = Coach(organisation=organisation)
    _apply_coach(coach, data)
    with transaction.atomic():
        coach.save()
        if "sports" in data:
            coach.sports.set(data["sports"])
        audit.record(action="training.coach.created", actor=actor, obj=coach)
    return coach


def update_coach(*, coach: Coach, actor, data: dict) -> Coach:
    _require(actor, coach.organisation_id)
    _apply_coach(coach, data)
    with transaction.atomic():
        coach.save()
        if "sports" in data:
            coach.sports.set(data["sports"])
        audit.record(action="training.coach.updated", actor=actor, obj=coach, fields=sorted(data))
    return coach


def validate_scan(upload) -> None:
    if not upload:
        return
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(SCAN_EXTENSIONS):
        raise ValidationFailed(fields={"scan": [_("Upload the scan as PDF, JPG or PNG.")]})
    if (getattr(upload, "size", 0) or 0) > SCAN_MAX_BYTES:
        raise ValidationFailed(fields={"scan": [_("The scan is larger than 10 MB.")]})


def apply_certificate(certificate: CoachCertificate, data: dict) -> None:
    unknown = set(data) - set(CERTIFICATE_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [_("Unknown field.")] for name in sorted(unknown)})
    for name in CERTIFICATE_FIELDS:
        if name in data:
            value = data[name]
            setattr(certificate, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    if certificate.kind not in CertificateKind.values:
        errors["kind"] = [_("Choose the kind of certificate.")]
    if not certificate.name:
        errors["name"] = [_("Enter the certificate's name.")]
    if not certificate.number:
        errors["number"] = [_("Enter the certificate number.")]
    if not certificate.issued_by:
        errors["issued_by"] = [_("Enter who issued it.")]
    if not isinstance(certificate.issued_on, date):
        errors["issued_on"] = [_("Enter the date of issue.")]
    elif certificate.issued_on > timezone.localdate():
        errors["issued_on"] = [_("The date of issue cannot be in the future.")]
    elif certificate.valid_until is not None and certificate.valid_until < certificate.issued_on:
        errors["valid_until"] = [_("A certificate cannot expire before it was issued.")]
    if "scan" in data:
        try:
            validate_scan(data["scan"])
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if not errors and (
        CoachCertificate.objects.filter(kind=certificate.kind, number=certificate.number)
        .exclude(pk=certificate.pk)
        .exists()
    ):
        errors["number"] = [_("A certificate of this kind with this number is already registered.")]
    if errors:
        raise ValidationFailed(fields=errors)


def add_certificate(*, coach: Coach, actor, data: dict) -> CoachCertificate:
    """Record a certificate of `coach`. The number is unique per kind (the database decides when
    two are added at once)."""
    _require(actor, coach.organisation_id)
    certificate = CoachCertificate(coach=coach)
    apply_certificate(certificate, data)
    try:
        with transaction.atomic():
            certificate.save()
            audit.record(action="training.certificate.added", actor=actor, obj=coach, certificate=certificate.pk)
    except IntegrityError:
        raise ValidationFailed(
            fields={"number": [_("A certificate of this kind with this number is already registered.")]}
        ) from None
    return certificate


def update_certificate(*, certificate: CoachCertificate, actor, data: dict) -> CoachCertificate:
    _require(actor, certificate.coach.organisation_id)
    apply_certificate(certificate, data)
    try:
        with transaction.atomic():
            certificate.save()
            audit.record(
                action="training.certificate.updated", actor=actor, obj=certificate.coach, certificate=certificate.pk
            )
    except IntegrityError:
        raise ValidationFailed(
            fields={"number": [_("A certificate of this kind with this number is already registered.")]}
        ) from None
    return certificate


def remove_certificate(*, certificate: CoachCertificate, actor) -> None:
    coach = certificate.coach
    _require(actor, coach.organisation_id)
    with transaction.atomic():
        audit.record(action="training.certificate.removed", actor=actor, obj=coach, number=certificate.number)
        certificate.delete()


def expiring_certificates(*, organisation_id: int | None = None, within_days: int = 60, on: date | None = None):
    """Certificates that expired or expire within `within_days` (for reminders and the flag)."""
    on = on or timezone.localdate()
    qs = CoachCertificate.objects.filter(
        valid_until__isnull=False, valid_until__lte=on + timezone.timedelta(within_days)
    )
    if organisation_id is not None:
        qs = qs.filter(coach__organisation_id=organisation_id)
    return qs.select_related("coach", "coach__organisation").order_by("valid_until", "id")


def remind_expiring_certificates(*, within_days: int = 30, on: date | None = None) -> int:
    """Tell each organisation's staff which of their coaches' certificates expired or expire within
    `within_days` (a course can only be submitted with coaches certified until it ends). Returns
    how many organisations were told."""
    from sportsplatform.accounts.models import User
    from sportsplatform.notifications.domain.send import notify_many

    by_organisation: dict[int, list[CoachCertificate]] = {}
    for certificate in expiring_certificates(within_days=within_days, on=on):
        by_organisation.setdefault(certificate.coach.organisation_id, []).append(certificate)
    for organisation_id, certificates in by_organisation.items():
        staff = User.objects.filter(
            is_active=True, memberships__organisation_id=organisation_id, memberships__is_active=True
        ).distinct()
        lines = [
            _("%(coach)s: %(certificate)s %(number)s, valid until %(date)s")
            % {"coach": c.coach.name, "certificate": c.name, "number": c.number, "date": f"{c.valid_until:%Y-%m-%d}"}
            for c in certificates
        ]
        notify_many(
            users=list(staff),
            kind="training.certificates.expiring",
            title=_("Coach certificates to renew"),
            body="\n".join(lines),
        )
    return len(by_organisation)
