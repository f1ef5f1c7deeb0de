"""What event registrations and course enrolments share: their states, and places counted by a
conditional UPDATE on the capacity row (an EventGroup, a Course).

A capacity row has `quota` and `taken` with the check constraint taken <= quota. `take_place`
adds one only while a place is free, in one statement, so two sign-ups racing for the last place
cannot both get it — on SQLite and PostgreSQL alike, without a Python-side lock; the constraint
refuses an oversell even if the Python is wrong. Sign-ups in PENDING_PAYMENT and CONFIRMED hold a
place; WAITLISTED ones wait in `waitlisted_at` order and are promoted when a place frees."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .errors import IllegalTransition


class SignupStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("awaiting payment")
    CONFIRMED = "confirmed", _("confirmed")
    WAITLISTED = "waitlisted", _("on the waiting list")
    WITHDRAWN = "withdrawn", _("withdrawn")
    CANCELLED = "cancelled", _("cancelled")
    EXPIRED = "expired", _("not paid in time")


HOLDS_PLACE = (SignupStatus.PENDING_PAYMENT, SignupStatus.CONFIRMED)
ACTIVE = (SignupStatus.PENDING_PAYMENT, SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)

SIGNUP_TRANSITIONS: dict[str, frozenset[str]] = {
    SignupStatus.PENDING_PAYMENT: frozenset(
        {SignupStatus.CONFIRMED, SignupStatus.WITHDRAWN, SignupStatus.CANCELLED, SignupStatus.EXPIRED}
    ),
    SignupStatus.CONFIRMED: frozenset({SignupStatus.WITHDRAWN, SignupStatus.CANCELLED}),
    # Promotion goes to PENDING_PAYMENT (a fee to pay) or straight to CONFIRMED (free).
    SignupStatus.WAITLISTED: frozenset(
        {SignupStatus.PENDING_PAYMENT, SignupStatus.CONFIRMED, SignupStatus.WITHDRAWN, SignupStatus.CANCELLED}
    ),
    SignupStatus.WITHDRAWN: frozenset(),
    SignupStatus.CANCELLED: frozenset(),
    # A payment that arrives after the hold lapsed confirms the sign-up if its place is still free
    # (as orders: expired → paid, payments.domain.capture).
    SignupStatus.EXPIRED: frozenset({SignupStatus.CONFIRMED}),
}


def check_signup_transition(current: str, to: str) -> None:
    if to not in SIGNUP_TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(
            _("A sign-up that is %(current)s cannot become %(to)s.")
            % {"current": SignupStatus(current).label, "to": SignupStatus(to).label},
            fields={"status": [current, to]},
        )


def capacity_constraints(prefix: str) -> list[models.BaseConstraint]:
    """The check constraints of a capacity row (fields `quota`, `taken`)."""
    return [
        models.CheckConstraint(condition=Q(taken__gte=0), name=f"{prefix}_taken_not_negative"),
        models.CheckConstraint(condition=Q(taken__lte=F("quota")), name=f"{prefix}_taken_within_quota"),
    ]


def take_place(model: type[models.Model], pk: int, n: int = 1) -> bool:
    """Take `n` places of the capacity row if free. True if taken; call inside the sign-up's
    transaction so a later failure gives the place back."""
    return bool(model._default_manager.filter(pk=pk, taken__lte=F("quota") - n).update(taken=F("taken") + n))


def free_place(model: type[models.Model], pk: int, n: int = 1) -> None:
    model._default_manager.filter(pk=pk, taken__gte=n).update(taken=F("taken") - n)


def active_signup_constraint(*, fields: list[str], name: str) -> models.UniqueConstraint:
    """One active (pending, confirmed or waitlisted) sign-up per person per event or course."""
    return models.UniqueConstraint(fields=fields, condition=Q(status__in=list(ACTIVE)), name=name)
