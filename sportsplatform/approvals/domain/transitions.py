"""The one transition function of every reviewed application (events, courses, ...).

The applicant (a member of the application's organiser) submits and withdraws; only a bureau
official whose region covers the application's region — or a platform admin — approves, rejects
(with a reason) or returns it. Every step writes an ApprovalStep and an audit entry in the same
transaction; the model's `on_approval_step(step)` hook (if any) runs inside it too, so an
approval can publish the event atomically. Listeners of `application_decided` run after commit
(notifications)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import IllegalTransition, NotPermitted, ValidationFailed
from sportsplatform.core.scoping import scope_for

from ..models import APPROVAL_TRANSITIONS, REVIEWER_ACTIONS, ApprovalAction, ApprovalStatus, ApprovalStep

# sender=model class, application=..., step=ApprovalStep. Sent after commit.
application_decided = Signal()


def can_review(actor, application) -> bool:
    """A bureau official of a region containing the application's region, or a platform admin."""
    from sportsplatform.accounts.models import Role

    scope = scope_for(actor)
    if scope.everything:
        return True
    return Role.BUREAU_OFFICIAL in scope.roles and scope.allows_region(application.region_id)


def can_apply(actor, application) -> bool:
    scope = scope_for(actor)
    return scope.everything or scope.allows_organisation(application.organiser_id)


def review_application(*, application, action: str, actor, comment: str = "") -> ApprovalStep:
    """Move `application` by `action` (ApprovalAction). Raises NotPermitted, IllegalTransition or
    ValidationFailed (a rejection or return without a reason). Locks the row so two reviewers
    cannot both decide."""
    comment = (comment or "").strip()
    reviewer_action = action in REVIEWER_ACTIONS
    if reviewer_action and not can_review(actor, application):
        raise NotPermitted(_("Only the responsible sports bureau can review this application."))
    if not reviewer_action and not can_apply(actor, application):
        raise NotPermitted(_("Only the applying organisation can do this."))
    if action in (ApprovalAction.REJECTED, ApprovalAction.RETURNED) and not comment:
        raise ValidationFailed(fields={"comment": [_("Give the reason, the applicant will see it.")]})
    model = type(application)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=application.pk)
        allowed = APPROVAL_TRANSITIONS.get(locked.status, {})
        if action not in allowed:
            raise IllegalTransition(
                _("This application is %(status)s and cannot be %(action)s.")
                % {"status": locked.get_status_display(), "action": ApprovalAction(action).label},
                fields={"status": [locked.status, action]},
            )
        if action == ApprovalAction.SUBMITTED:
            check = getattr(locked, "check_complete", None)
            if check is not None:
                check()  # raises ValidationFailed naming what is missing
        now = timezone.now()
        from_status = locked.status
        locked.status = allowed[action]
        fields = ["status"]
        if action == ApprovalAction.SUBMITTED:
            locked.submitted_at = now
            locked.decided_at = None
            locked.decided_by = None
            locked.decision_comment = ""
            fields += ["submitted_at", "decided_at", "decided_by", "decision_comment"]
        elif reviewer_action:
            locked.decided_at = now
            locked.decided_by = actor
            locked.decision_comment = comment
            fields += ["decided_at", "decided_by", "decision_comment"]
        locked.save(update_fields=fields)
        step = ApprovalStep.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=locked.pk,
            action=action,
            from_status=from_status,
            to_status=locked.status,
            actor=actor,
            comment=comment,
        )
        hook = getattr(locked, "on_approval_step", None)
        if hook is not None:
            hook(step)
        audit.record(
            action=f"{model._meta.app_label}.{model._meta.model_name}.{action}",
            actor=actor,
            obj=locked,
            comment=comment,
        )
        transaction.on_commit(
            lambda: application_decided.send(sender=model, application=locked, step=step), robust=True
        )
    application.refresh_from_db()
    return step


def history(application) -> list[ApprovalStep]:
    return list(
        ApprovalStep.objects.filter(
            content_type=ContentType.objects.get_for_model(type(application)), object_id=application.pk
        ).select_related("actor")
    )


def pending_for(actor, queryset):
    """Submitted applications in `queryset` that `actor` may decide (a bureau's review queue)."""
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.scoping import visible_to

    scope = scope_for(actor)
    if not (scope.everything or Role.BUREAU_OFFICIAL in scope.roles):
        return queryset.none()
    qs = queryset.filter(status=ApprovalStatus.SUBMITTED)
    if scope.everything:
        return qs
    # visible_to also admits the official's own organisation's rows; review is by region only.
    return visible_to(actor, qs).filter(region_id__in=_codes_under(scope.region_prefixes))


def _codes_under(prefixes):
    from django.db.models import Q

    from sportsplatform.regions.models import Region

    q = Q(pk__in=[])
    for p in prefixes:
        q |= Q(code__startswith=p)
    return Region.objects.filter(q).values("code")
