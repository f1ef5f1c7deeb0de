"""The message box: in-site messages about bookings (confirmed, reminder, cancelled, refunded)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .domain.inbox import mark_read, unread_count
from .models import Notification


@login_required
@require_GET
def message_list(request):
    page = Paginator(Notification.objects.filter(user=request.user), 20).get_page(request.GET.get("page"))
    context = {"page": page, "items": list(page.object_list), "unread": unread_count(user=request.user)}
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def mark_read_view(request):
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdecimal() else None
    mark_read(user=request.user, ids=ids)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("messages:list")
