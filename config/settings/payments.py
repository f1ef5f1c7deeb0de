"""Payments, booking and money settings (imported by base.py). Values come from the environment;
see README, "Configuration"."""

import os

from .base_env import env_list

# Enabled payment methods, in the order the checkout offers them. wechat and alipay need their
# keys below; sandbox behaves like a real gateway and is the demo default.
PAYMENT_PROVIDERS = env_list("PAYMENT_PROVIDERS", "sandbox,card")
# Public base URL the providers call back (https://… in production).
PAYMENT_NOTIFY_BASE_URL = os.environ.get("PAYMENT_NOTIFY_BASE_URL", "")
# Callbacks older or newer than this many seconds are refused as replays.
PAYMENT_NOTIFY_MAX_SKEW_SECONDS = int(os.environ.get("PAYMENT_NOTIFY_MAX_SKEW_SECONDS", "300"))
BOOKING_HOLD_MINUTES = int(os.environ.get("BOOKING_HOLD_MINUTES", "15"))
