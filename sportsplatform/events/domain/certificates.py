"""Certificates (证书) of participation or placing, as an A4 landscape PDF in Chinese with a QR code
that opens the public verification page.

Like e-tickets (booking.domain.tickets): the QR carries a token signed with the server's key and
the database keeps only its SHA-256, so neither a guessed token nor a copied row verifies. The
certificate number printed on the PDF can be typed on the verification page too. A revoked
certificate verifies as revoked. One valid certificate per entry (a partial unique index).

Issued by the organiser's staff to confirmed entries once the results are published: the title is
the placing ("第1名") for the first PLACING_TITLE_UP_TO places, otherwise a participation
certificate."""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import Conflict, NotFound, ValidationFailed
from sportsplatform.core.scoping import scope_for
from sportsplatform.core.signups import SignupStatus

from ..models import Certificate, Event, Registration, Result
from .results import StatusNote, require_manager

SALT = "events.certificate"
PLACING_TITLE_UP_TO = 8
CERTIFICATE_LANGUAGE = "zh-hans"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signer() -> signing.Signer:
    # A plain Signer, not signing.dumps: dumps() adds a timestamp, so a token drawn again later
    # (the PDF is rendered on every download) would no longer match the stored hash.
    return signing.Signer(salt=SALT)


def certificate_token(certificate: Certificate) -> str:
    """The QR content: deterministic for a certificate, so the PDF can be drawn again."""
    return _signer().sign_object({"c": certificate.pk, "r": certificate.registration_id})


def certificate_title(result: Result | None) -> str:
    with translation.override(CERTIFICATE_LANGUAGE):
        if result is not None and result.placing and result.placing <= PLACING_TITLE_UP_TO and not result.status_note:
            return _("Place %(n)s") % {"n": result.placing}
        return _("Certificate of participation")


def _require_issuable(event: Event) -> None:
    if not event.is_published:
        raise Conflict(_("The event is not published."), code="not_published")
    if event.results_published_at is None:
        raise Conflict(_("Certificates are issued once the results are published."), code="results_unpublished")


def issue_certificate(*, registration: Registration, actor, title: str = "") -> Certificate:
    """Issue (or return the valid one already issued) for one confirmed entry."""
    event = registration.event
    require_manager(actor, event)
    _require_issuable(event)
    if registration.status != SignupStatus.CONFIRMED:
        raise Conflict(_("Only confirmed entries get a certificate."), code="not_confirmed")
    existing = Certificate.objects.filter(registration=registration, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    result = Result.objects.filter(registration=registration).first()
    title = (title or "").strip()[:64] or certificate_title(result)
    for _attempt in range(5):
        code = f"ZS{timezone.localdate():%Y}{secrets.randbelow(10**10):010d}"
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    registration=registration, title=title, code=code, token_hash=secrets.token_hex(32)
                )
                certificate.token_hash = _hash(certificate_token(certificate))
                certificate.save(update_fields=["token_hash"])
                audit.record(action="events.certificate.issued", actor=actor, obj=certificate)
        except IntegrityError:
            # Either the code was taken or another desk issued this entry's certificate just now.
            existing = Certificate.objects.filter(registration=registration, revoked_at__isnull=True).first()
            if existing is not None:
                return existing
            continue
        _notify_participant(certificate)
        return certificate
    raise RuntimeError("could not allocate a unique certificate number")


def _notify_participant(certificate: Certificate) -> None:
    from django.urls import reverse

    from sportsplatform.notifications.domain.send import notify

    registration = certificate.registration
    notify(
        user=registration.user,
        kind="events.certificate",
        title=_("Your certificate of %(event)s is ready") % {"event": registration.event.title},
        link=reverse("events:certificate_pdf", args=[certificate.pk]),
    )


def issue_certificates(*, event: Event, actor) -> int:
    """A certificate for every confirmed entry that has none; returns how many were issued."""
    require_manager(actor, event)
    _require_issuable(event)
    valid = Certificate.objects.filter(registration=OuterRef("pk"), revoked_at__isnull=True)
    pending = (
        Registration.objects.filter(event=event, status=SignupStatus.CONFIRMED)
        .filter(~Exists(valid))
        .select_related("event")
        .order_by("id")
    )
    issued = 0
    for registration in pending:
        issue_certificate(registration=registration, actor=actor)
        issued += 1
    return issued


def revoke_certificate(*, certificate: Certificate, actor, reason: str) -> Certificate:
    event = certificate.registration.event
    require_manager(actor, event)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for revoking."), fields={"reason": ["required"]})
    now = timezone.now()
    with transaction.atomic():
        if not Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(revoked_at=now):
            raise Conflict(_("This certificate is already revoked."), code="already_revoked")
        audit.record(action="events.certificate.revoked", actor=actor, obj=certificate, reason=reason[:255])
    certificate.revoked_at = now
    return certificate


# --- verifying ------------------------------------------------------------------------------


class VerificationState:
    VALID = "valid"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass
class Verification:
    state: str
    certificate: Certificate | None = None

    @property
    def is_valid(self) -> bool:
        return self.state == VerificationState.VALID


def verify_certificate(token_or_code: str) -> Verification:
    """What the public verification page says about a scanned token or a typed number."""
    value = "".join((token_or_code or "").split())
    if not value:
        return Verification(VerificationState.UNKNOWN)
    certificates = Certificate.objects.select_related(
        "registration__event__organiser", "registration__group", "registration__result"
    )
    if value.upper().startswith("ZS") and value[2:].isdigit():
        certificate = certificates.filter(code=value.upper()).first()
    else:
        try:
            data = _signer().unsign_object(value)
        except (signing.BadSignature, ValueError):
            return Verification(VerificationState.UNKNOWN)
        certificate = certificates.filter(pk=data.get("c"), token_hash=_hash(value)).first()
    if certificate is None:
        return Verification(VerificationState.UNKNOWN)
    if certificate.revoked_at is not None:
        return Verification(VerificationState.REVOKED, certificate)
    return Verification(VerificationState.VALID, certificate)


def certificate_for(*, user, pk: int) -> Certificate:
    """A valid certificate for its participant or the organiser's staff; NotFound for anyone
    else (same answer as a missing one)."""
    certificate = (
        Certificate.objects.select_related(
            "registration__event__organiser", "registration__group", "registration__user", "registration__result"
        )
        .filter(pk=pk, revoked_at__isnull=True)
        .first()
    )
    if certificate is None or user is None or not user.is_authenticated:
        raise NotFound()
    event = certificate.registration.event
    scope = scope_for(user)
    if certificate.registration.user_id != user.pk and not (
        scope.everything or scope.allows_organisation(event.organiser_id)
    ):
        raise NotFound()
    return certificate


# --- the PDF --------------------------------------------------------------------------------


@dataclass
class CertificateFacts:
    title: str
    participant: str
    team_name: str
    event: str
    group: str
    result: str
    placing: str
    date: str
    organiser: str
    code: str


def certificate_facts(certificate: Certificate) -> CertificateFacts:
    registration = certificate.registration
    event = registration.event
    result = Result.objects.filter(registration=registration).first()
    with translation.override(CERTIFICATE_LANGUAGE):
        result_text = ""
        if result is not None:
            result_text = (
                str(StatusNote.LABELS.get(result.status_note, result.status_note))
                if result.status_note
                else result.display
            )
        placing = _("Place %(n)s") % {"n": result.placing} if result is not None and result.placing else ""
    starts = timezone.localtime(event.starts_at)
    return CertificateFacts(
        title=certificate.title,
        participant=registration.participant_name,
        team_name=registration.team_name,
        event=event.title,
        group=registration.group.name,
        result=result_text,
        placing=placing,
        date=f"{starts.year}年{starts.month}月{starts.day}日",
        organiser=event.organiser.name,
        code=certificate.code,
    )


def verify_url(certificate: Certificate, *, base_url: str = "") -> str:
    """What the QR code on the PDF opens: the verification page with the signed token."""
    from django.urls import reverse

    return f"{base_url.rstrip('/')}{reverse('events:certificate_verify')}?t={certificate_token(certificate)}"


_FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def certificate_pdf(certificate: Certificate, *, base_url: str = "") -> bytes:
    """The certificate as an A4 landscape PDF. `base_url` ("https://host") makes the QR an
    absolute link to the verification page."""
    import segno
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    _register_font()
    facts = certificate_facts(certificate)
    link = verify_url(certificate, base_url=base_url)
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    with translation.override(CERTIFICATE_LANGUAGE):
        pdf.setTitle(f"{facts.event} · {facts.title}")
        pdf.setAuthor(facts.organiser)
        pdf.setSubject(_("Certificate"))
        navy, gold, ink = HexColor("#0a4b8c"), HexColor("#b8860b"), HexColor("#222222")
        # Frame.
        pdf.setStrokeColor(navy)
        pdf.setLineWidth(6)
        pdf.rect(24, 24, width - 48, height - 48)
        pdf.setStrokeColor(gold)
        pdf.setLineWidth(1.5)
        pdf.rect(36, 36, width - 72, height - 72)
        # Heading.
        pdf.setFillColor(navy)
        pdf.setFont(_FONT, 40)
        heading = _("Certificate") if facts.title == _("Certificate of participation") else _("Certificate of honour")
        pdf.drawCentredString(width / 2, height - 110, heading)
        pdf.setFillColor(gold)
        pdf.setFont(_FONT, 22)
        pdf.drawCentredString(width / 2, height - 150, facts.title)
        # Body.
        pdf.setFillColor(ink)
        pdf.setFont(_FONT, 26)
        who = facts.participant + (f"（{facts.team_name}）" if facts.team_name else "")
        pdf.drawCentredString(width / 2, height - 215, who)
        pdf.setFont(_FONT, 15)
        lines = [
            _("Event: %(event)s") % {"event": facts.event},
            _("Group: %(group)s") % {"group": facts.group},
        ]
        if facts.result:
            lines.append(_("Result: %(result)s") % {"result": facts.result})
        if facts.placing:
            lines.append(_("Placing: %(placing)s") % {"placing": facts.placing})
        y = height - 260
        for line in lines:
            pdf.drawCentredString(width / 2, y, line)
            y -= 26
        pdf.setFont(_FONT, 13)
        pdf.drawCentredString(width / 2, y - 8, _("This certificate is awarded in recognition."))
        # Footer: organiser and date on the right, number on the left, QR at the bottom right.
        pdf.setFont(_FONT, 14)
        pdf.drawRightString(width - 190, 112, facts.organiser)
        pdf.drawRightString(width - 190, 88, facts.date)
        pdf.setFont(_FONT, 11)
        pdf.drawString(60, 88, _("Certificate number: %(code)s") % {"code": facts.code})
        pdf.drawString(60, 68, _("Scan the QR code to verify this certificate."))
        qr = segno.make(link, error="m")
        image = io.BytesIO()
        qr.save(image, kind="png", scale=4, border=1)
        image.seek(0)
        pdf.drawImage(ImageReader(image), width - 170, 56, width=110, height=110)
        pdf.showPage()
        pdf.save()
    return buffer.getvalue()
