"""Back office of reviewed applications (events, courses, ...): what every reviewed model's admin
shares, and the review log itself.

`ReviewedApplicationAdminMixin` (put it before ScopedModelAdmin) gives an application's admin:
- the review timeline (every ApprovalStep: who, when, what, the comment) above the change form,
  from the include `approvals/includes/history.html` (usable on any page: pass `application`);
- buttons on the change page for the steps the user may take now — submit and withdraw for the
  applicant, approve / return for changes / reject for the reviewing bureau — each opening a page
  with a comment field (required to reject or return) that calls `review(...)`;
- a review queue ("awaiting review": `pending_for`) at `admin:<app>_<model>_review_queue`.
Whether a user may take a step is decided by approvals.domain.transitions (`can_apply`,
`can_review`), the same functions the domain enforces. An application outside the user's scope
answers 404, like a missing one."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

from sportsplatform.core.admin import ScopedModelAdmin
from sportsplatform.core.errors import DomainError
from sportsplatform.core.scoping import scope_for

from .domain.transitions import can_apply, can_review, history, pending_for, review_application
from .models import APPROVAL_TRANSITIONS, ApprovalAction, ApprovalStatus, ApprovalStep

HISTORY_TEMPLATE = "approvals/includes/history.html"


class ReviewCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["comment"]
        field.required = required
        if required:
            field.label = gettext("Reason")
            field.help_text = gettext("Required. The applicant sees it.")
        else:
            field.help_text = gettext("Optional. The applicant sees it.")


# action -> (button label, page title, submit label, comment required, who)
REVIEW_STEPS = {
    ApprovalAction.SUBMITTED: (_("Submit for review"), _("Submit “%s” for review"), _("Submit"), False, "applicant"),
    ApprovalAction.APPROVED: (_("Approve"), _("Approve “%s”"), _("Approve and publish"), False, "reviewer"),
    ApprovalAction.RETURNED: (_("Return for changes"), _("Return “%s” for changes"), _("Return"), True, "reviewer"),
    ApprovalAction.REJECTED: (_("Reject"), _("Reject “%s”"), _("Reject"), True, "reviewer"),
    ApprovalAction.WITHDRAWN: (
        pgettext_lazy("application", "Withdraw"),
        _("Withdraw “%s”"),
        _("Withdraw the application"),
        False,
        "applicant",
    ),
}


def step_allowed(user, application, step: str) -> bool:
    """Whether `user` may take review `step` on `application` now (its state and their role)."""
    if step not in APPROVAL_TRANSITIONS.get(application.status, {}):
        return False
    if getattr(application, "cancelled_at", None) is not None:
        return False
    if REVIEW_STEPS[step][4] == "reviewer":
        return can_review(user, application)
    return can_apply(user, application)


class ReviewedApplicationAdminMixin:
    """See the module docstring. Subclasses may override `review()` to call their own domain
    functions (events call approve_event etc.)."""

    change_form_outer_before_template = HISTORY_TEMPLATE
    actions_detail = [
        "submit_application",
        "approve_application",
        "return_application",
        "reject_application",
        "withdraw_application",
    ]
    review_queue_template = "approvals/admin/review_queue.html"
    review_form_template = "approvals/admin/review_form.html"

    # -- the domain call (override to route through the app's own functions)
    def review(self, request, application, step: str, comment: str):
        return review_application(application=application, action=step, actor=request.user, comment=comment)

    # -- objects through the scope; out of scope = missing
    def _application(self, request, object_id):
        cache = request.__dict__.setdefault("_review_application_cache", {})
        key = (self.model._meta.label, str(object_id))
        if key not in cache:
            cache[key] = self.get_queryset(request).filter(pk=object_id).first() if object_id else None
        obj = cache[key]
        if obj is None:
            raise Http404
        return obj

    def _may(self, request, object_id, step) -> bool:
        if object_id is None:
            return True
        return step_allowed(request.user, self._application(request, object_id), step)

    def has_submit_application_permission(self, request, object_id=None):
        return self._may(request, object_id, ApprovalAction.SUBMITTED)

    def has_approve_application_permission(self, request, object_id=None):
        return self._may(request, object_id, ApprovalAction.APPROVED)

    def has_return_application_permission(self, request, object_id=None):
        return self._may(request, object_id, ApprovalAction.RETURNED)

    def has_reject_application_permission(self, request, object_id=None):
        return self._may(request, object_id, ApprovalAction.REJECTED)

    def has_withdraw_application_permission(self, request, object_id=None):
        return self._may(request, object_id, ApprovalAction.WITHDRAWN)

    # -- the step pages
    def _step_page(self, request, object_id, step: str):
        application = self._application(request, object_id)
        _button, title, submit, required, _who = REVIEW_STEPS[step]
        change_url = reverse(
            f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_change", args=[application.pk]
        )
        form = ReviewCommentForm(request.POST or None, required=required)
        if request.method == "POST" and form.is_valid():
            try:
                self.review(request, application, step, form.cleaned_data["comment"])
            except DomainError as exc:
                fields = exc.fields or {}
                for problem in fields.get("comment", []):
                    form.add_error("comment", str(problem))
                others = [f"{p}" for name, problems in fields.items() if name != "comment" for p in problems]
                if not form.errors or others:
                    form.add_error(None, str(exc.message))
                    for problem in others:
                        form.add_error(None, problem)
            else:
                application.refresh_from_db()
                self.message_user(
                    request,
                    gettext("“%(name)s” is now %(status)s.")
                    % {"name": application, "status": application.get_status_display()},
                    messages.SUCCESS,
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": application,
            "application": application,
            "title": str(title) % application,
            "form": form,
            "submit": submit,
            "step": step,
            "back_url": change_url,
            "danger": step in (ApprovalAction.REJECTED, ApprovalAction.WITHDRAWN),
        }
        return TemplateResponse(request, self.review_form_template, context)

    @action(
        description=REVIEW_STEPS[ApprovalAction.SUBMITTED][0],
        url_path="review-submit",
        permissions=["submit_application"],
        icon="send",
    )
    def submit_application(self, request, object_id):
        return self._step_page(request, object_id, ApprovalAction.SUBMITTED)

    @action(
        description=REVIEW_STEPS[ApprovalAction.APPROVED][0],
        url_path="review-approve",
        permissions=["approve_application"],
        icon="check_circle",
    )
    def approve_application(self, request, object_id):
        return self._step_page(request, object_id, ApprovalAction.APPROVED)

    @action(
        description=REVIEW_STEPS[ApprovalAction.RETURNED][0],
        url_path="review-return",
        permissions=["return_application"],
        icon="undo",
    )
    def return_application(self, request, object_id):
        return self._step_page(request, object_id, ApprovalAction.RETURNED)

    @action(
        description=REVIEW_STEPS[ApprovalAction.REJECTED][0],
        url_path="review-reject",
        permissions=["reject_application"],
        icon="block",
    )
    def reject_application(self, request, object_id):
        return self._step_page(request, object_id, ApprovalAction.REJECTED)

    @action(
        description=REVIEW_STEPS[ApprovalAction.WITHDRAWN][0],
        url_path="review-withdraw",
        permissions=["withdraw_application"],
        icon="remove_circle",
    )
    def withdraw_application(self, request, object_id):
        return self._step_page(request, object_id, ApprovalAction.WITHDRAWN)

    # -- the review queue
    def get_urls(self):
        opts = self.model._meta
        extra = [
            path(
                "review-queue/",
                self.admin_site.admin_view(self.review_queue_view),
                name=f"{opts.app_label}_{opts.model_name}_review_queue",
            )
        ]
        return extra + super().get_urls()

    def is_reviewer(self, request) -> bool:
        from sportsplatform.accounts.models import Role

        scope = scope_for(request.user)
        return scope.everything or Role.BUREAU_OFFICIAL in scope.roles

    def review_queue_queryset(self, request):
        """A bureau's queue: what it may decide (`pending_for`). An applicant's: their own
        applications waiting for the bureau."""
        queryset = self.get_queryset(request)
        if self.is_reviewer(request):
            queryset = pending_for(request.user, queryset)
        else:
            queryset = queryset.filter(status=ApprovalStatus.SUBMITTED)
        return queryset.select_related("organiser", "region").order_by("submitted_at", "pk")

    def review_queue_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        rows = [
            {
                "application": application,
                "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[application.pk]),
            }
            for application in self.review_queue_queryset(request)[:500]
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": gettext("%(things)s awaiting review") % {"things": opts.verbose_name_plural},
            "rows": rows,
            "reviewer": self.is_reviewer(request),
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        }
        return TemplateResponse(request, self.review_queue_template, context)

    # -- the timeline above the form
    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        obj = self.get_queryset(request).filter(pk=object_id).first() if object_id else None
        if obj is not None:
            extra_context["approval_history"] = history(obj)
        return super().change_view(request, object_id, form_url, extra_context)


def status_badge_class(status: str) -> str:
    return {
        ApprovalStatus.DRAFT: "draft",
        ApprovalStatus.SUBMITTED: "submitted",
        ApprovalStatus.APPROVED: "approved",
        ApprovalStatus.REJECTED: "rejected",
        ApprovalStatus.WITHDRAWN: "withdrawn",
    }.get(status, "draft")


@admin.register(ApprovalStep)
class ApprovalStepAdmin(ScopedModelAdmin):
    """Every review step of every application (platform admins: core.scoping gives others no
    path to a step; they see an application's steps on its own page)."""

    list_display = ["at", "content_type", "object_id", "action", "from_status", "to_status", "actor", "comment"]
    list_filter = ["action", "content_type"]
    list_select_related = ["content_type", "actor"]
    ordering = ["-at", "-id"]
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
