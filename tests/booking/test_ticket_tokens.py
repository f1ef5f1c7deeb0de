"""The QR token of an e-ticket is the same whenever the ticket page draws it, so a QR shown an
hour after the ticket was issued still checks in."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import signing

from sportsplatform.booking.domain.errors import TicketInvalid
from sportsplatform.booking.domain.tickets import check_in, ticket_token
from tests.booking.test_pages_operator import desk  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_ticket_token_drawn_later_still_checks_in(desk):  # noqa: F811
    first = ticket_token(desk["ticket"])
    later_clock = signing.time.time() + 3600
    with mock.patch("django.core.signing.time.time", return_value=later_clock):
        drawn_again = ticket_token(desk["ticket"])
    assert drawn_again == first

    ticket = check_in(code_or_token=drawn_again, actor=desk["operator"], venue=desk["venue"])

    assert ticket.used_at is not None


def test_ticket_token_tampered_is_refused(desk):  # noqa: F811
    token = ticket_token(desk["ticket"])
    other = signing.Signer(salt="another").sign_object({"t": desk["ticket"].pk, "o": desk["order"].pk})

    with pytest.raises(TicketInvalid):
        check_in(code_or_token=token[:-2] + "xx", actor=desk["operator"])
    with pytest.raises(TicketInvalid):
        check_in(code_or_token=other, actor=desk["operator"])
    desk["ticket"].refresh_from_db()
    assert desk["ticket"].used_at is None
