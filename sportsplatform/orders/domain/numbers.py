"""Order numbers: time-ordered, unique, 20 characters of digits, valid as WeChat/Alipay
out_trade_no (6–32 characters of [0-9A-Za-z_-])."""

import secrets

from django.utils import timezone


def new_order_number(prefix: str = "") -> str:
    stamp = timezone.localtime().strftime("%y%m%d%H%M%S")
    return f"{prefix}{stamp}{secrets.randbelow(10**8):08d}"[:32]
