"""Readable names for the dotted action codes that core.audit.record writes. Unknown codes are
shown as they are, so a new code never breaks the audit page; add its name here when you add it."""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "accounts.user.created": _("account created"),
    "accounts.user.logged_in": _("signed in"),
    "accounts.user.logged_out": _("signed out"),
    "accounts.user.login_failed": _("sign-in failed"),
    "accounts.user.password_changed": _("password changed"),
    "accounts.user.display_name_changed": _("display name changed"),
    "accounts.organisation.created": _("organisation created"),
    "accounts.membership.granted": _("role granted"),
    "accounts.membership.revoked": _("role revoked"),
    "accounts.sms_code.sent": _("SMS code sent"),
    "accounts.sms_code.failed": _("wrong SMS code"),
    "accounts.api_token.issued": _("API token issued"),
    "accounts.api_token.revoked": _("API token revoked"),
    "accounts.otp.enrolled": _("authenticator enrolled"),
    "accounts.otp.failed": _("wrong authenticator code"),
    "accounts.otp.device_removed": _("authenticator removed"),
    "backoffice.export.csv": _("list exported"),
    "security.lockout.unlocked": _("account unlocked"),
}


def event_label(code: str) -> str:
    return str(EVENT_LABELS.get(code, code))
