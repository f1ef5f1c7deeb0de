"""The venue finder for organisers (events:finder), the enquiry form to one venue
(events:enquire) and the sender's enquiries with the operators' answers (events:enquiries).
Views parse input, call one domain function and render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sportsplatform.core.errors import DomainError, ValidationFailed
from sportsplatform.venues.models import Sport, Venue

from .domain.enquiries import close_enquiry, enquiries_sent_by, send_enquiry, sender_organisations
from .domain.recommend import recommend_venues
from .forms_finder import EnquiryForm, VenueFinderForm, add_domain_error, default_dates
from .models import EnquiryStatus, VenueEnquiry

SHOWN = 20  # the best this many; the page says how many venues offer the sport


def _real_user(request):
    """The User itself, not the lazy wrapper: the domain locks the sender's row through its class."""
    user = request.user
    while isinstance(user, SimpleLazyObject):
        user.is_authenticated  # noqa: B018 - evaluates the lazy object
        user = user._wrapped
    return user


@login_required
@require_GET
def finder(request):
    """GET with the need in the query string (shareable); without one, the empty form."""
    asked = "sport" in request.GET
    form = VenueFinderForm(request.GET if asked else None)
    recommendations = None
    total = 0
    enquiry_query = ""
    status = 200
    if asked and form.is_valid():
        need = form.need()
        try:
            ranked = recommend_venues(need=need, limit=0)
            total = len(ranked)
            recommendations = ranked[:SHOWN]
        except ValidationFailed as exc:
            add_domain_error(form, exc)
            status = 400
        else:
            enquiry_query = urlencode(
                {
                    "sport": need.sport,
                    "starts_on": need.starts_on.isoformat(),
                    "ends_on": need.ends_on.isoformat(),
                    "participants": need.participants,
                    **({"budget": need.budget_per_day} if need.budget_per_day is not None else {}),
                }
            )
    elif asked:
        status = 400
    context = {
        "form": form,
        "asked": asked,
        "recommendations": recommendations,
        "total": total,
        "enquiry_query": enquiry_query,
        "setting_field": form["setting"],
    }
    return render(request, "events/finder/find.html", context, status=status)


def _initial_from_query(request) -> dict:
    first, last = default_dates()
    initial = {"starts_on": first, "ends_on": last}
    for name in ("sport", "starts_on", "ends_on", "participants", "budget"):
        value = (request.GET.get(name) or "").strip()
        if value:
            initial[name] = value[:32]
    user = request.user
    if getattr(user, "phone", None):
        initial["contact_phone"] = user.phone
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def enquire(request, venue_pk: int):
    venue = get_object_or_404(Venue.objects.select_related("region"), pk=venue_pk, is_published=True)
    user = _real_user(request)
    organisations = sender_organisations(user)
    if request.method == "POST":
        form = EnquiryForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            sport = Sport.objects.filter(code=data.get("sport")).first() if data.get("sport") else None
            try:
                send_enquiry(
                    sender=user,
                    venue=venue,
                    sport=sport,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    participants=data["participants"],
                    budget=data.get("budget"),
                    message=data["message"],
                    contact_phone=data["contact_phone"],
                    organisation=form.organisations.get(data.get("organisation")),
                )
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Your enquiry was sent to %(venue)s. Its answer will appear here.") % {"venue": venue.name},
                )
                return redirect("events:enquiries")
        else:
            status = 400
    else:
        form = EnquiryForm(initial=_initial_from_query(request), organisations=organisations)
        status = 200
    back = request.GET.get("back", "")
    back_url = reverse("events:finder") + "?" + back if back else reverse("events:finder")
    context = {"form": form, "venue": venue, "back_url": back_url, "has_operator": bool(venue.operator_id)}
    return render(request, "events/finder/enquire.html", context, status=status)


@login_required
@require_GET
def enquiries(request):
    rows = list(enquiries_sent_by(request.user)[:100])
    context = {"enquiries": rows, "open_statuses": {EnquiryStatus.SENT, EnquiryStatus.REPLIED}}
    return render(request, "events/finder/enquiries.html", context)


@login_required
@require_POST
def close(request, pk: int):
    enquiry = get_object_or_404(VenueEnquiry.objects.select_related("venue"), pk=pk, sender=request.user)
    try:
        close_enquiry(enquiry=enquiry, actor=_real_user(request))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The enquiry is closed."))
    return redirect("events:enquiries")
