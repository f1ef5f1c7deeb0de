"""Development backend: writes the message to the log instead of sending it, and keeps it in
`outbox` so tests can read the code that was "sent"."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..phones import mask_phone
from .base import SmsBackend

logger = logging.getLogger("sportsplatform.sms")


@dataclass(frozen=True)
class SentSms:
    phone: str
    code: str
    ttl_minutes: int


outbox: list[SentSms] = []


class ConsoleSmsBackend(SmsBackend):
    name = "console"

    def send_login_code(self, *, phone: str, code: str, ttl_minutes: int) -> None:
        # The phone is masked even here: development logs get shared in chats and tickets.
        logger.warning("SMS to %s: code %s (valid %d minutes)", mask_phone(phone), code, ttl_minutes)
        outbox.append(SentSms(phone=phone, code=code, ttl_minutes=ttl_minutes))
