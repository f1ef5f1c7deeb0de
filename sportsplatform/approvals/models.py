"""Applications that a sports bureau reviews before they are published (events, courses; later
subsidy declarations and star ratings). The reviewed model inherits `ReviewedApplication`; every
step — submitted, approved, rejected, withdrawn, returned — is one `ApprovalStep` row with who,
when and the comment, whatever the model."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApprovalStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ApprovalAction(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")
    RETURNED = "returned", _("returned for changes")


# from-status -> {action: to-status}. A rejected application may be edited and submitted again.
APPROVAL_TRANSITIONS: dict[str, dict[str, str]] = {
    ApprovalStatus.DRAFT: {
        ApprovalAction.SUBMITTED: ApprovalStatus.SUBMITTED,
        ApprovalAction.WITHDRAWN: ApprovalStatus.WITHDRAWN,
    },
    ApprovalStatus.SUBMITTED: {
        ApprovalAction.APPROVED: ApprovalStatus.APPROVED,
        ApprovalAction.REJECTED: ApprovalStatus.REJECTED,
        ApprovalAction.RETURNED: ApprovalStatus.DRAFT,
        ApprovalAction.WITHDRAWN: ApprovalStatus.WITHDRAWN,
    },
    ApprovalStatus.REJECTED: {
        ApprovalAction.SUBMITTED: ApprovalStatus.SUBMITTED,
        ApprovalAction.WITHDRAWN: ApprovalStatus.WITHDRAWN,
    },
    ApprovalStatus.APPROVED: {},
    ApprovalStatus.WITHDRAWN: {},
}

# Actions only the reviewing bureau may take; the applicant takes the others.
REVIEWER_ACTIONS = frozenset({ApprovalAction.APPROVED, ApprovalAction.REJECTED, ApprovalAction.RETURNED})


class ReviewedApplication(models.Model):
    """Fields every reviewed application carries. The subclass defines `region` (the county whose
    bureau chain reviews it) and `organiser` (the applying organisation) and names them in
    scope_region_field / scope_organisation_field, so core.scoping shows a Chengdu official only
    Chengdu's applications and an institution only its own."""

    status = models.CharField(
        _("review status"), max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        abstract = True


class ApprovalStep(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    application = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=12, choices=ApprovalAction.choices)
    from_status = models.CharField(_("from status"), max_length=12, choices=ApprovalStatus.choices)
    to_status = models.CharField(_("to status"), max_length=12, choices=ApprovalStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="approval_step_history")]

    def __str__(self):
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"
