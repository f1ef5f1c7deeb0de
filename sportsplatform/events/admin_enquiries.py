"""The operators' inbox of venue enquiries (from the venue finder) in the back office.

Scoped like everything else (core.scoping through VenueEnquiry.scope_*): a venue operator's staff
see the enquiries to their venues, a bureau the ones to venues of its region (read-only), platform
admins all. Nothing is edited by hand: "Answer" (→ events.domain.enquiries.reply_enquiry, which
tells the sender) and "Close" are the only changes. Imported from events/admin.py; `register()`
grants the role permissions (idempotent)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateFilter
from unfold.decorators import action

from sportsplatform.core.admin import ScopedModelAdmin, ScopedRegionFilter
from sportsplatform.core.errors import DomainError

from .domain.enquiries import REPLY_MAX, can_answer, close_enquiry, reply_enquiry
from .models import VenueEnquiry


def register() -> None:
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.roles import grant

    grant(Role.PLATFORM_ADMIN, "events.view_venueenquiry", "events.change_venueenquiry")
    grant(Role.OPERATOR_STAFF, "events.view_venueenquiry", "events.change_venueenquiry")
    grant(Role.BUREAU_OFFICIAL, "events.view_venueenquiry")


register()


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Answer"),
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The sender gets a message and reads the answer on their enquiries page."),
    )


@admin.register(VenueEnquiry)
class VenueEnquiryAdmin(ScopedModelAdmin):
    list_display = ["created_at", "venue_name", "sender_name", "organisation_name", "starts_on", "ends_on",
                    "participants", "status"]  # fmt: skip
    list_display_links = ["created_at", "venue_name"]
    list_filter = [("status", ChoicesDropdownFilter), ScopedRegionFilter, ("starts_on", RangeDateFilter)]
    list_filter_submit = True
    list_select_related = ["venue", "sender", "organisation"]
    search_fields = ["venue__name", "organisation__name", "message"]
    ordering = ["-created_at", "-id"]
    # The relations have no verbose names on the model: labelled here so the inbox reads in Chinese.
    fields = ["venue_name", "sender_name", "organisation_name", "sport_name", "starts_on", "ends_on", "participants",
              "budget", "contact_phone", "message_text", "status", "created_at", "reply", "replied_at",
              "replied_by_name"]  # fmt: skip
    readonly_fields = fields
    actions_detail = ["answer", "close"]
    export_fields = ["created_at", "venue_name", "sender_name", "organisation_name", "sport_name", "starts_on",
                     "ends_on", "participants", "budget", "contact_phone", "status", "replied_at"]  # fmt: skip

    @admin.display(description=_("venue"), ordering="venue__name")
    def venue_name(self, obj):
        return obj.venue.name

    @admin.display(description=_("sender"), ordering="sender__display_name")
    def sender_name(self, obj):
        return obj.sender.get_display_name()

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_name(self, obj):
        return obj.organisation.name if obj.organisation_id else "—"

    @admin.display(description=_("sport"))
    def sport_name(self, obj):
        return obj.sport.name if obj.sport_id else "—"

    @admin.display(description=_("Message"))
    def message_text(self, obj):
        return obj.message

    @admin.display(description=_("replied by"))
    def replied_by_name(self, obj):
        return obj.replied_by.get_display_name() if obj.replied_by_id else "—"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # answered through the actions below, never edited

    def has_act_permission(self, request, object_id=None):
        if not request.user.has_perm("events.change_venueenquiry"):
            return False
        if object_id is None:
            return True
        enquiry = self.get_queryset(request).filter(pk=object_id).select_related("venue").first()
        return enquiry is not None and can_answer(request.user, enquiry)

    def _enquiry(self, request, object_id) -> VenueEnquiry:
        enquiry = self.get_queryset(request).select_related("venue", "sender").filter(pk=object_id).first()
        if enquiry is None or not can_answer(request.user, enquiry):
            raise PermissionDenied
        return enquiry

    def _page(self, request, enquiry, *, form, title, submit):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": enquiry,
            "title": title,
            "form": form,
            "submit": submit,
            "back_url": reverse("admin:events_venueenquiry_change", args=[enquiry.pk]),
        }
        return TemplateResponse(request, "events/finder/admin_answer.html", context)

    @action(description=_("Answer"), url_path="answer", permissions=["act"], icon="reply")
    def answer(self, request, object_id):
        enquiry = self._enquiry(request, object_id)
        form = ReplyForm(request.POST or None, initial={"reply": enquiry.reply})
        if request.method == "POST" and form.is_valid():
            try:
                reply_enquiry(enquiry=enquiry, actor=request.user, reply=form.cleaned_data["reply"])
            except DomainError as exc:
                problems = (exc.fields or {}).get("reply")
                form.add_error("reply" if problems else None, str(problems[0] if problems else exc.message))
            else:
                self.message_user(request, gettext("The answer was sent."), messages.SUCCESS)
                return redirect("admin:events_venueenquiry_change", enquiry.pk)
        title = gettext("Answer the enquiry about %(venue)s") % {"venue": enquiry.venue.name}
        return self._page(request, enquiry, form=form, title=title, submit=gettext("Send the answer"))

    @action(description=_("Close"), url_path="close", permissions=["act"], icon="done_all")
    def close(self, request, object_id):
        enquiry = self._enquiry(request, object_id)
        if request.method != "POST":
            title = gettext("Close the enquiry about %(venue)s") % {"venue": enquiry.venue.name}
            return self._page(request, enquiry, form=None, title=title, submit=gettext("Close the enquiry"))
        try:
            close_enquiry(enquiry=enquiry, actor=request.user)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
        else:
            self.message_user(request, gettext("The enquiry is closed."), messages.SUCCESS)
        return redirect("admin:events_venueenquiry_change", enquiry.pk)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("venue", "sender", "organisation", "sport", "replied_by")
