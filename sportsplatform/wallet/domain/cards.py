"""Opening, freezing and reading sports cards. A card is opened explicitly (the user taps "open my
card") or on the first top-up; either way it gets the ledger account `card:<user id>`."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from sportsplatform.core import audit
from sportsplatform.core.errors import Conflict, IllegalTransition, NotFound
from sportsplatform.ledger.domain.posting import card_account

from ..models import CardStatus, SportsCard

# 一卡通 numbers: 16 digits, "8651" (Sichuan, platform card) + 11 random digits + a Luhn check digit,
# so a mistyped number at a counter is caught before it reaches the database.
CARD_PREFIX = "8651"


class CardFrozen(Conflict):
    code = "card_frozen"
    default_message = _("This sports card is frozen. Please contact customer service.")


class CardNotOpened(NotFound):
    code = "card_not_opened"
    default_message = _("You have not opened a sports card yet.")


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:  # every second digit from the right, starting next to the check digit
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_valid_card_number(number: str) -> bool:
    return len(number) == 16 and number.isdigit() and luhn_digit(number[:-1]) == number[-1]


def new_card_number() -> str:
    body = CARD_PREFIX + f"{secrets.randbelow(10**11):011d}"
    return body + luhn_digit(body)


def card_for(user) -> SportsCard | None:
    return SportsCard.objects.select_related("account").filter(user=user).first()


def open_card(*, user, actor) -> SportsCard:
    """The user's card, opened now if they have none. Safe to call twice at once: the second caller
    gets the first caller's card (unique user)."""
    existing = card_for(user)
    if existing is not None:
        return existing
    account = card_account(user)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                card = SportsCard.objects.create(user=user, number=new_card_number(), account=account)
                audit.record(action="wallet.card.opened", actor=actor, obj=card)
                return card
        except IntegrityError:
            existing = card_for(user)
            if existing is not None:
                return existing
            # A number collision (1 in 10^11 per card): draw another.
    raise Conflict(code="card_number_exhausted")


def require_card(user) -> SportsCard:
    card = card_for(user)
    if card is None:
        raise CardNotOpened()
    return card


def require_active(card: SportsCard) -> None:
    if card.status != CardStatus.ACTIVE:
        raise CardFrozen()


def freeze_card(*, card: SportsCard, actor, reason: str) -> SportsCard:
    return _set_status(card=card, to=CardStatus.FROZEN, actor=actor, reason=reason)


def unfreeze_card(*, card: SportsCard, actor, reason: str = "") -> SportsCard:
    return _set_status(card=card, to=CardStatus.ACTIVE, actor=actor, reason=reason)


def _set_status(*, card: SportsCard, to: str, actor, reason: str) -> SportsCard:
    with transaction.atomic():
        locked = SportsCard.objects.select_for_update().get(pk=card.pk)
        if locked.status == to:
            raise IllegalTransition(fields={"status": [locked.status, to]})
        previous = locked.status
        locked.status = to
        locked.status_reason = reason[:128]
        locked.save(update_fields=["status", "status_reason"])
        audit.record(
            action=f"wallet.card.{'frozen' if to == CardStatus.FROZEN else 'unfrozen'}",
            actor=actor,
            obj=locked,
            changes={"status": [previous, to]},
            reason=reason,
        )
    card.status, card.status_reason = locked.status, locked.status_reason
    return card
