"""Writes on users, organisations and memberships. Every back-office form, API view and
command that creates accounts or grants roles calls these."""

from __future__ import annotations

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import Conflict, ValidationFailed
from sportsplatform.core.scoping import forget_scope, scope_for

from ..models import ROLE_FOR_KIND, Membership, Organisation, OrganisationKind, Role, User
from ..phones import normalise_phone, validate_mainland_phone


def _clean_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    phone = normalise_phone(phone)
    try:
        validate_mainland_phone(phone)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"phone": exc.messages}) from None
    return phone


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"password": exc.messages}) from None


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str | None = None,
    phone: str | None = None,
    display_name: str = "",
    actor=None,
    validate_password: bool = True,
    ip: str | None = None,
) -> User:
    """Create an account. Without a password the account can only log in by SMS code."""
    username = (username or "").strip()
    if not username:
        raise ValidationFailed(fields={"username": ["required"]})
    phone = _clean_phone(phone)
    if User.objects.filter(username=username).exists():
        raise Conflict(code="username_taken", fields={"username": ["taken"]})
    if phone and User.objects.filter(phone=phone).exists():
        raise Conflict(code="phone_taken", fields={"phone": ["taken"]})
    user = User(username=username, phone=phone, display_name=display_name)
    if password:
        if validate_password:
            _validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Lost a race with a concurrent registration of the same name or phone.
        raise Conflict(code="username_taken") from None
    audit.record(action="accounts.user.created", actor=actor, obj=user, ip=ip)
    return user


def get_or_create_phone_user(*, phone: str, ip: str | None = None) -> tuple[User, bool]:
    """The public account behind a phone number (SMS login registers on first use)."""
    phone = _clean_phone(phone)
    existing = User.objects.filter(phone=phone).first()
    if existing:
        return existing, False
    try:
        # Not "u<phone>": the username shows up in audit rows, logs and lists, which must only
        # ever show the masked number (PIPL).
        return create_user(username=f"u{secrets.token_hex(6)}", phone=phone, ip=ip), True
    except Conflict:
        return User.objects.get(phone=phone), False


@transaction.atomic
def change_password(*, user: User, new_password: str, actor=None, ip: str | None = None) -> None:
    if user.has_usable_password() and user.check_password(new_password):
        # A periodic change (PASSWORD_MAX_AGE_DAYS) that keeps the old password changes nothing.
        message = _("The new password must differ from the current one.")
        raise ValidationFailed(message, code="password_reused", fields={"password": [message]})
    _validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password", "password_changed_at"])
    audit.record(action="accounts.user.password_changed", actor=actor or user, obj=user, ip=ip)


@transaction.atomic
def update_display_name(*, user: User, display_name: str, actor=None, ip: str | None = None) -> User:
    display_name = " ".join((display_name or "").split())
    field = User._meta.get_field("display_name")
    if len(display_name) > field.max_length:
        message = _("At most %(max)d characters.") % {"max": field.max_length}
        raise ValidationFailed(message, fields={"display_name": [message]})
    old = user.display_name
    if old != display_name:
        user.display_name = display_name
        user.save(update_fields=["display_name"])
        audit.record(
            action="accounts.user.display_name_changed",
            actor=actor or user,
            obj=user,
            ip=ip,
            changes={"display_name": [old, display_name]},
        )
    return user


@transaction.atomic
def create_organisation(
    *, name: str, kind: str, region, actor=None, credit_code: str = "", contact_name: str = "", contact_phone: str = ""
) -> Organisation:
    if kind not in OrganisationKind.values:
        raise ValidationFailed(fields={"kind": ["invalid"]})
    if actor is not None and not scope_for(actor).allows_region(region.code):
        raise ValidationFailed(fields={"region": ["out of your region"]})
    org, created = Organisation.objects.get_or_create(
        kind=kind,
        region=region,
        name=name,
        defaults={"credit_code": credit_code, "contact_name": contact_name, "contact_phone": contact_phone},
    )
    if created:
        audit.record(action="accounts.organisation.created", actor=actor, obj=org)
    return org


@transaction.atomic
def grant_membership(*, user: User, organisation: Organisation, role: str | None = None, actor=None) -> Membership:
    """Make `user` a member of `organisation`. The role follows the organisation's kind unless
    given; back-office roles make the user staff (admin access is then narrowed by scoping)."""
    role = role or ROLE_FOR_KIND[organisation.kind]
    if role not in Role.values:
        raise ValidationFailed(fields={"role": ["invalid"]})
    if role == Role.PLATFORM_ADMIN and organisation.kind != OrganisationKind.PLATFORM:
        raise ValidationFailed(fields={"role": ["platform admins belong to the platform organisation"]})
    if role == Role.BUREAU_OFFICIAL and organisation.kind != OrganisationKind.BUREAU:
        raise ValidationFailed(fields={"role": ["bureau officials belong to a sports bureau"]})
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    forget_scope(user)
    audit.record(
        action="accounts.membership.granted",
        actor=actor,
        obj=membership,
        changes={"role": [None, role], "organisation": [None, organisation.name]},
    )
    return membership


@transaction.atomic
def revoke_membership(*, membership: Membership, actor=None) -> None:
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    user = membership.user
    if not user.is_superuser and not user.memberships.filter(is_active=True).exists():
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    forget_scope(user)
    audit.record(action="accounts.membership.revoked", actor=actor, obj=membership)


@transaction.atomic
def update_organisation(*, organisation: Organisation, actor=None) -> Organisation:
    """Save edits made to `organisation` (by a back-office form). The organisation must stay inside
    the actor's scope, including a new region; django-auditlog records before and after."""
    if actor is not None:
        scope = scope_for(actor)
        if not scope.everything and not (
            scope.allows_region(organisation.region_id) or scope.allows_organisation(organisation.pk)
        ):
            raise ValidationFailed(fields={"region": ["out of your region"]})
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        raise Conflict(code="organisation_exists", fields={"name": ["taken in this region"]}) from None
    return organisation


@transaction.atomic
def update_user(*, user: User, actor=None) -> User:
    """Save back-office edits of an account (names, phone, active flag). The phone is re-validated
    and normalised; django-auditlog records before and after."""
    user.phone = _clean_phone(user.phone)
    if user.phone and User.objects.filter(phone=user.phone).exclude(pk=user.pk).exists():
        raise Conflict(code="phone_taken", fields={"phone": ["taken"]})
    user.save()
    forget_scope(user)
    return user
