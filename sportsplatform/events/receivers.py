"""Tell the applying organisation's staff when the bureau decides on one of their applications
(events, courses and any other approvals.ReviewedApplication with an `organiser`): approved,
rejected or returned for changes, with the reviewer's comment and a link to the application's
back-office page. One receiver for every model: `application_decided` is sent by
approvals.domain.transitions after commit with the model as sender."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from sportsplatform.approvals.models import ApprovalAction

DISPATCH_UID = "events.receivers.notify_organiser_of_decision"

# Steps the applicant takes themselves (submitted, withdrawn) tell them nothing new.
_TITLES = {
    ApprovalAction.APPROVED: lambda name: _("Approved and published: %(name)s") % {"name": name},
    ApprovalAction.REJECTED: lambda name: _("Application rejected: %(name)s") % {"name": name},
    ApprovalAction.RETURNED: lambda name: _("Returned for changes: %(name)s") % {"name": name},
}


def organiser_staff(organisation) -> list:
    """Active users of the organisation's active memberships."""
    from sportsplatform.accounts.models import User

    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def admin_link(application) -> str:
    opts = application._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[application.pk])
    except NoReverseMatch:
        return ""


def notify_organiser_of_decision(sender, *, application, step, **kwargs) -> None:
    from sportsplatform.notifications.domain.send import notify_many

    title = _TITLES.get(step.action)
    organiser = getattr(application, "organiser", None)
    if title is None or organiser is None:
        return
    kind_label = str(sender._meta.verbose_name)
    name = str(application)
    if step.action == ApprovalAction.APPROVED:
        body = _("The sports bureau approved the %(kind)s “%(name)s”; it is now published.") % {
            "kind": kind_label,
            "name": name,
        }
    elif step.action == ApprovalAction.REJECTED:
        body = _("The sports bureau rejected the %(kind)s “%(name)s”.") % {"kind": kind_label, "name": name}
    else:
        body = _("The sports bureau returned the %(kind)s “%(name)s”: change it and submit it again.") % {
            "kind": kind_label,
            "name": name,
        }
    if step.comment:
        body += "\n" + _("Comment: %(comment)s") % {"comment": step.comment}
    notify_many(
        users=organiser_staff(organiser),
        kind=f"{sender._meta.app_label}.application.{step.action}",
        title=title(name),
        body=body,
        link=admin_link(application),
    )


def register() -> None:
    from sportsplatform.approvals.domain.transitions import application_decided

    # No sender filter: courses (and later subsidy declarations) are decided through the same
    # transition; dispatch_uid keeps a second register() from connecting twice.
    application_decided.connect(notify_organiser_of_decision, dispatch_uid=DISPATCH_UID)
