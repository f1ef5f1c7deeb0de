"""SMS delivery. One base class, one module per provider; `get_backend()` picks the one named by
settings.SMS_BACKEND ("console", "tencent", "aliyun")."""

from .base import SmsBackend, SmsDeliveryFailed, get_backend

__all__ = ["SmsBackend", "SmsDeliveryFailed", "get_backend"]
