"""Pages of results, judging, certificates and the summary.

Back office (behind the admin gate: staff session with a password):
- the results desk: events the user can see through core.scoping; the organiser's staff enter
  results (form or Excel), publish, assign judges, issue certificates, write the summary and
  export; bureau officials of the region look (read-only) and export with ID numbers masked;
- the judge's page: the events the *acting* judge is assigned to, with only their own scores;
  anything else answers 404, whatever id is typed.
Public: the ranking of an event, the certificate PDF (its participant or the organiser) and the
certificate verification page.

Views parse input, call one domain function and render; the rules live in events.domain."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sportsplatform.accounts.models import Role
from sportsplatform.core.errors import DomainError, NotFound, ValidationFailed
from sportsplatform.core.scoping import require_visible, visible_to

from .domain import certificates as certs
from .domain import judging, results, summary
from .interfaces import exports
from .models import Certificate, EventMedia, JudgeAssignment, Registration, ResultKind
from .models import Event as EventModel


def _office(view):
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return admin.site.admin_view(wrapped)


def _context(request, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, **extra}


def _visible_event(request, pk: int) -> EventModel:
    """An event the user may see in the back office, or 404 (also for ids out of scope)."""
    try:
        return require_visible(request.user, EventModel.objects.select_related("organiser", "sport", "region"), pk=pk)
    except NotFound:
        raise Http404 from None


def _managed_event(request, pk: int) -> EventModel:
    event = _visible_event(request, pk)
    if not results.can_manage_results(request.user, event):
        raise PermissionDenied
    return event


def _error(request, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


# --- results desk ---------------------------------------------------------------------------


def _desk(request):
    events = list(
        visible_to(request.user, EventModel.objects.filter(status="approved"))
        .select_related("sport", "organiser")
        .order_by("-starts_at", "id")[:200]
    )
    context = _context(request, _("Results and judging"), events=events, desk_tab="desk")
    return TemplateResponse(request, "events/results/office/desk.html", context)


results_desk = _office(_desk)


def _row_inputs(request, event, groups) -> list[results.ResultInput]:
    rows = []
    for group in groups:
        for reg in group.confirmed:
            rows.append(
                results.ResultInput(
                    registration_id=reg.pk,
                    value=request.POST.get(f"value-{reg.pk}", ""),
                    placing=request.POST.get(f"placing-{reg.pk}", ""),
                    status_note=request.POST.get(f"note-{reg.pk}", ""),
                )
            )
    return rows


def _entry(request, pk: int):
    event = _visible_event(request, pk)
    can_manage = results.can_manage_results(request.user, event)
    groups = results.entries_with_results(event)
    if request.method == "POST" and request.POST.get("group", "").isdecimal():
        group_id = int(request.POST["group"])
        groups = [g for g in groups if g.pk == group_id]
    typed: dict[int, dict] = {}
    row_errors: dict[int, list[str]] = {}
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        rows = _row_inputs(request, event, groups)
        try:
            changed = results.save_results(event=event, actor=request.user, rows=rows)
        except ValidationFailed as exc:
            _error(request, exc)
            row_errors = {int(k): v for k, v in exc.fields.get("rows", {}).items()}
            typed = {r.registration_id: {"value": r.value, "placing": r.placing, "note": r.status_note} for r in rows}
            status = 400
            groups = results.entries_with_results(event)
        except DomainError as exc:
            _error(request, exc)
            return redirect("events:results_entry", pk=event.pk)
        else:
            messages.success(request, _("Saved (%(n)s changed).") % {"n": changed})
            anchor = f"#group-{groups[0].pk}" if groups else ""
            return redirect(reverse("events:results_entry", args=[event.pk]) + anchor)
    for group in groups:
        for reg in group.confirmed:
            result = getattr(reg, "result", None) if _has_result(reg) else None
            reg.form = typed.get(reg.pk) or {
                "value": result.display if result else "",
                "placing": result.placing if result and result.placing_given else "",
                "note": result.status_note if result else "",
            }
            reg.computed_placing = result.placing if result else None
            reg.errors = row_errors.get(reg.pk, [])
    context = _context(
        request,
        _("Results: %(event)s") % {"event": event.title},
        event=event,
        groups=groups,
        can_manage=can_manage,
        judged=event.result_kind == ResultKind.JUDGED,
        is_time=event.result_kind == ResultKind.TIME,
        placing_only=event.result_kind == ResultKind.PLACING,
        notes=list(results.StatusNote.LABELS.items()),
        desk_tab="results",
    )
    return TemplateResponse(request, "events/results/office/entry.html", context, status=status)


def _has_result(reg) -> bool:
    try:
        reg.result  # noqa: B018 - the reverse one-to-one raises when there is none
    except Registration.result.RelatedObjectDoesNotExist:
        return False
    return True


results_entry = _office(_entry)


def _template(request, pk: int):
    event = _managed_event(request, pk)
    data = exports.results_template(event=event)
    return _xlsx(data, f"event-{event.pk}-results-template.xlsx")


results_template = _office(_template)


def _import(request, pk: int):
    event = _managed_event(request, pk)
    if request.method != "POST":
        return redirect("events:results_entry", pk=event.pk)
    try:
        changed = results.import_results(event=event, actor=request.user, file=request.FILES.get("file"))
    except ValidationFailed as exc:
        rows = exc.fields.get("rows", {})
        lines = [
            _("Row %(row)s: %(errors)s") % {"row": row, "errors": " ".join(errs)}
            for row, errs in sorted(rows.items(), key=lambda kv: int(kv[0]) if kv[0].isdecimal() else 0)
        ]
        context = _context(
            request,
            _("Import results: %(event)s") % {"event": event.title},
            event=event,
            message=exc.message,
            lines=lines[:200],
            more=max(len(lines) - 200, 0),
            desk_tab="results",
        )
        return TemplateResponse(request, "events/results/office/import_errors.html", context, status=400)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Imported; %(n)s results changed.") % {"n": changed})
    return redirect("events:results_entry", pk=event.pk)


results_import = _office(_import)


def _publish(request, pk: int):
    event = _managed_event(request, pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "unpublish":
                results.unpublish_results(event=event, actor=request.user)
                messages.success(request, _("The results are no longer public."))
            else:
                results.publish_results(event=event, actor=request.user)
                messages.success(request, _("The results are published."))
        except DomainError as exc:
            _error(request, exc)
    return redirect("events:results_entry", pk=event.pk)


results_publish = _office(_publish)


# --- judges (organiser) ---------------------------------------------------------------------


def _judges(request, pk: int):
    event = _visible_event(request, pk)
    can_manage = results.can_manage_results(request.user, event)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            if action == "assign":
                judge = judging.find_judge_user(request.POST.get("judge", ""))
                judging.assign_judge(
                    event=event, judge=judge, actor=request.user, is_chief=request.POST.get("chief") == "1"
                )
                messages.success(request, _("Judge assigned."))
            elif action in ("remove", "chief"):
                assignment = JudgeAssignment.objects.filter(
                    event=event, pk=_int(request.POST.get("assignment"))
                ).first()
                if assignment is None:
                    raise NotFound()
                if action == "remove":
                    judging.remove_judge(assignment=assignment, actor=request.user)
                    messages.success(request, _("Judge removed."))
                else:
                    judging.assign_judge(event=event, judge=assignment.judge, actor=request.user, is_chief=True)
                    messages.success(request, _("Chief judge named."))
            elif action == "trimming":
                judging.configure_trimming(
                    event=event,
                    actor=request.user,
                    drop_highest=_int(request.POST.get("drop_highest"), -1),
                    drop_lowest=_int(request.POST.get("drop_lowest"), -1),
                )
                messages.success(request, _("Saved."))
        except DomainError as exc:
            _error(request, exc)
        return redirect("events:judges", pk=event.pk)
    assignments = list(JudgeAssignment.objects.filter(event=event).select_related("judge").order_by("-is_chief", "id"))
    progress = judging.progress(event)
    for a in assignments:
        a.scored = progress.scored.get(a.pk, 0)
    experts = []
    if can_manage and event.scoring_closed_at is None:
        from django.contrib.auth import get_user_model

        experts = list(
            get_user_model()
            .objects.filter(memberships__role=Role.EXPERT, memberships__is_active=True, is_active=True, is_staff=True)
            .exclude(judging__event=event)
            .distinct()
            .order_by("username")[:200]
        )
    context = _context(
        request,
        _("Judges: %(event)s") % {"event": event.title},
        event=event,
        assignments=assignments,
        progress=progress,
        experts=experts,
        can_manage=can_manage,
        judged=event.result_kind == ResultKind.JUDGED,
        desk_tab="judges",
    )
    return TemplateResponse(request, "events/results/office/judges.html", context)


judges = _office(_judges)


def _int(raw, default: int = 0) -> int:
    raw = (raw or "").strip()
    return int(raw) if raw.isdecimal() else default


def _scores(request, pk: int):
    event = _visible_event(request, pk)
    try:
        sheet = judging.score_sheet(event=event, viewer=request.user)
    except DomainError:
        raise Http404 from None
    context = _context(
        request, _("Judges' scores: %(event)s") % {"event": event.title}, event=event, sheet=sheet, desk_tab="judges"
    )
    return TemplateResponse(request, "events/results/office/scores.html", context)


score_sheet = _office(_scores)


# --- certificates (organiser) ---------------------------------------------------------------


def _certificates(request, pk: int):
    event = _visible_event(request, pk)
    can_manage = results.can_manage_results(request.user, event)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        try:
            if request.POST.get("action") == "revoke":
                certificate = Certificate.objects.filter(
                    registration__event=event, pk=_int(request.POST.get("certificate"))
                ).first()
                if certificate is None:
                    raise NotFound()
                certs.revoke_certificate(certificate=certificate, actor=request.user, reason=request.POST.get("reason"))
                messages.success(request, _("Certificate %(code)s revoked.") % {"code": certificate.code})
            else:
                n = certs.issue_certificates(event=event, actor=request.user)
                messages.success(request, _("%(n)s certificates issued.") % {"n": n})
        except DomainError as exc:
            _error(request, exc)
        return redirect("events:certificates_office", pk=event.pk)
    issued = list(
        Certificate.objects.filter(registration__event=event)
        .select_related("registration__group")
        .order_by("registration__group__position", "registration__participant_name", "-issued_at")
    )
    context = _context(
        request,
        _("Certificates: %(event)s") % {"event": event.title},
        event=event,
        issued=issued,
        can_manage=can_manage,
        desk_tab="certificates",
    )
    return TemplateResponse(request, "events/results/office/certificates.html", context)


certificates_office = _office(_certificates)


# --- summary (organiser) --------------------------------------------------------------------


def _summary(request, pk: int):
    event = _visible_event(request, pk)
    can_manage = results.can_manage_results(request.user, event)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        action = request.POST.get("action", "save")
        try:
            if action == "save":
                summary.save_summary(event=event, actor=request.user, text=request.POST.get("summary", ""))
                messages.success(request, _("Summary saved."))
            elif action == "publish":
                summary.publish_summary(event=event, actor=request.user)
                messages.success(request, _("The summary is published."))
            elif action == "unpublish":
                summary.unpublish_summary(event=event, actor=request.user)
                messages.success(request, _("The summary is no longer public."))
            elif action == "upload":
                files = request.FILES.getlist("file")
                if not files:
                    raise ValidationFailed(_("Choose a photo or video file."))
                for f in files[:20]:
                    summary.add_media(event=event, actor=request.user, file=f, caption=request.POST.get("caption", ""))
                messages.success(request, _("Uploaded."))
            elif action == "remove":
                media = EventMedia.objects.filter(event=event, pk=_int(request.POST.get("media"))).first()
                if media is None:
                    raise NotFound()
                summary.remove_media(media=media, actor=request.user)
                messages.success(request, _("Removed."))
        except DomainError as exc:
            _error(request, exc)
        return redirect("events:summary_edit", pk=event.pk)
    context = _context(
        request,
        _("Summary: %(event)s") % {"event": event.title},
        event=event,
        media=list(EventMedia.objects.filter(event=event).order_by("position", "id")),
        can_manage=can_manage,
        desk_tab="summary",
    )
    return TemplateResponse(request, "events/results/office/summary.html", context)


summary_edit = _office(_summary)


# --- exports --------------------------------------------------------------------------------


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _export(request, pk: int, report: str):
    event = _visible_event(request, pk)
    try:
        filename, data = exports.export_event(event=event, viewer=request.user, report=report)
    except DomainError:
        raise Http404 from None
    return _xlsx(data, filename)


export = _office(_export)


# --- the judge's page -----------------------------------------------------------------------


def _judging(request):
    assignments = list(judging.my_assignments(request.user))
    context = _context(request, _("My judging"), assignments=assignments)
    return TemplateResponse(request, "events/results/judge/list.html", context)


judging_list = _office(_judging)


def _judging_event(request, pk: int):
    try:
        assignment = judging.assignment_for(event_id=pk, judge=request.user)
    except NotFound:
        raise Http404 from None
    event = assignment.event
    typed: dict[int, str] = {}
    row_errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "score")
        if action == "close":
            try:
                judging.close_scoring(event=event, actor=request.user, missing_reason=request.POST.get("reason", ""))
            except DomainError as exc:
                _error(request, exc)
            else:
                messages.success(request, _("Scoring is closed and the ranking is published."))
            return redirect("events:judging_event", pk=event.pk)
        saved = 0
        for key, raw in request.POST.items():
            if not key.startswith("score-") or not key[6:].isdecimal() or not raw.strip():
                continue
            reg_id = int(key[6:])
            registration = Registration.objects.filter(pk=reg_id, event=event).first()
            try:
                if registration is None:
                    raise NotFound(_("No such entry in this event."))
                judging.submit_score(event=event, judge=request.user, registration=registration, value=raw)
                saved += 1
            except DomainError as exc:
                row_errors[reg_id] = str(exc.message)
                typed[reg_id] = raw
        if row_errors:
            messages.error(request, _("%(n)s scores were not saved; see the marked rows.") % {"n": len(row_errors)})
            status = 400
        else:
            messages.success(request, _("%(n)s scores saved.") % {"n": saved})
            return redirect("events:judging_event", pk=event.pk)
        event.refresh_from_db()
    closed = event.scoring_closed_at is not None
    rows = judging.judging_entries(event=event, judge=request.user)
    for row in rows:
        row.typed = typed.get(row.registration.pk)
        row.error = row_errors.get(row.registration.pk, "")
    sheet = judging.score_sheet(event=event, viewer=request.user) if closed else None
    context = _context(
        request,
        _("Scoring: %(event)s") % {"event": event.title},
        event=event,
        assignment=assignment,
        rows=rows,
        closed=closed,
        sheet=sheet,
        progress=judging.progress(event) if assignment.is_chief and not closed else None,
        unknown_errors=[(k, v) for k, v in row_errors.items() if k not in {r.registration.pk for r in rows}],
    )
    return TemplateResponse(request, "events/results/judge/event.html", context, status=status)


judging_event = _office(_judging_event)


# --- public ---------------------------------------------------------------------------------


def public_results(request, pk: int):
    event = EventModel.objects.select_related("sport", "organiser").filter(pk=pk).first()
    if event is None or not event.is_published:
        raise Http404
    groups = results.published_ranking(event)
    if not groups:
        raise Http404
    return render(request, "events/results/public_results.html", {"event": event, "ranking_groups": groups})


@never_cache
@require_http_methods(["GET"])
def certificate_verify(request):
    raw = request.GET.get("t") or request.GET.get("code") or ""
    verification = certs.verify_certificate(raw) if raw else None
    facts = certs.certificate_facts(verification.certificate) if verification and verification.certificate else None
    return render(
        request,
        "events/results/certificate_verify.html",
        {"verification": verification, "facts": facts, "code": request.GET.get("code", "")},
        status=404 if verification is not None and verification.certificate is None else 200,
    )


@never_cache
def certificate_pdf(request, pk: int):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    try:
        certificate = certs.certificate_for(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    data = certs.certificate_pdf(certificate, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
