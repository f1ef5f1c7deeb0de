"""Event applications (赛事申办): an organiser's staff write a draft, submit it, and the sports
bureau of the event's region approves (= publishes), rejects or returns it; a published event can
be cancelled, which cancels and fully refunds its registrations.

Who may do what:
- the organiser's staff (operator or institution staff, or a platform admin) create, edit, submit
  and withdraw; a bureau official whose region covers the event's county (county, its city, the
  province) or a platform admin approves, rejects (reason required) or returns it for changes
  (reason required). The applying organisation never reviews its own application: reviewing
  needs a bureau membership, applying an organiser membership (approvals.domain.transitions).
- What can be edited depends on the review status:
    draft (new or returned) and rejected: everything;
    submitted (awaiting review) and withdrawn: nothing (the bureau reviews what was submitted);
    approved (published): only EDITABLE_WHEN_PUBLISHED — the description, the cover picture and
    the contact person and phone. Dates, place, fee, groups and questions are what people signed
    up for and what the bureau approved: changing them means cancelling and applying again;
    cancelled: nothing.
- The region follows the venue (its county); an event without a venue names a county-level
  region the applicant may file records in (core.scoping.regions_for).

Every write checks the whole application with `event_problems` / `group_problems` /
`field_problems` (also used by the back-office forms to show the same messages under the fields)
and writes an audit entry; reviews go through approvals.domain.transitions.review_application,
which records the ApprovalStep (who, when, comment) and notifies after commit."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.accounts.models import Organisation, OrganisationKind
from sportsplatform.approvals.domain.transitions import can_apply, can_review, review_application
from sportsplatform.approvals.models import ApprovalAction, ApprovalStatus
from sportsplatform.core import audit
from sportsplatform.core.errors import IllegalTransition, NotPermitted, ValidationFailed
from sportsplatform.core.scoping import regions_for, scope_for
from sportsplatform.regions.models import RegionLevel

from ..models import EntryMode, Event, EventAttachment, EventGroup, FieldKind, RegistrationField, ResultKind

# Fields of Event an application sets (create_event / update_event `data` keys).
APPLICATION_FIELDS = (
    "title",
    "sport",
    "level",
    "venue",
    "region",
    "location",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "expected_participants",
    "entry_mode",
    "fee",
    "refund_tiers",
    "description",
    "rules",
    "cover",
    "contact_name",
    "contact_phone",
    "safety_plan",
    "result_kind",
    "drop_highest",
    "drop_lowest",
)
EDITABLE_WHEN_PUBLISHED = frozenset({"description", "cover", "contact_name", "contact_phone"})
EDITABLE_STATUSES = frozenset({ApprovalStatus.DRAFT, ApprovalStatus.REJECTED})
GROUP_FIELDS = ("name", "quota", "fee", "min_age", "max_age", "team_min", "team_max", "waitlist_limit", "position")
QUESTION_FIELDS = ("key", "label", "kind", "required", "choices", "help_text", "per_member", "position")
ORGANISER_KINDS = frozenset({OrganisationKind.OPERATOR, OrganisationKind.INSTITUTION, OrganisationKind.PLATFORM})


# --- what may be edited -------------------------------------------------------------------------


def editable_fields(event: Event) -> frozenset[str]:
    """The application fields that may change in the event's current state."""
    if event.pk is None:
        return frozenset(APPLICATION_FIELDS)
    if event.cancelled_at is not None:
        return frozenset()
    if event.status in EDITABLE_STATUSES:
        return frozenset(APPLICATION_FIELDS)
    if event.status == ApprovalStatus.APPROVED:
        return EDITABLE_WHEN_PUBLISHED
    return frozenset()


def parts_editable(event: Event) -> bool:
    """Whether groups, questions and documents may change (drafts and rejected applications)."""
    return event.pk is None or (event.cancelled_at is None and event.status in EDITABLE_STATUSES)


def organisers_for(actor):
    """Organisations `actor` may apply for: their own operator/institution organisations, any for
    a platform admin."""
    scope = scope_for(actor)
    qs = Organisation.objects.filter(is_active=True, kind__in=ORGANISER_KINDS)
    if scope.everything:
        return qs
    return qs.filter(pk__in=sorted(scope.organisation_ids))


def visible_applications(user, queryset):
    """Applications `user` may see in the back office: core.scoping's rule, except that a draft
    never submitted is its organiser's own (the bureau sees an application once submitted)."""
    from django.db.models import Q

    from sportsplatform.core.scoping import visible_to

    queryset = visible_to(user, queryset)
    scope = scope_for(user)
    if scope.everything:
        return queryset
    return queryset.filter(Q(submitted_at__isnull=False) | Q(organiser_id__in=sorted(scope.organisation_ids)))


# --- checks (also shown by the back-office forms) ------------------------------------------------


def _add(problems: dict, field: str, message) -> None:
    problems.setdefault(field, []).append(str(message))


def refund_tier_problems(tiers) -> list[str]:
    if tiers in (None, ""):
        return []
    if not isinstance(tiers, list):
        return [_("Refund rules must be a list of tiers.")]
    problems = []
    seen = set()
    for tier in tiers:
        if not isinstance(tier, dict) or set(tier) - {"hours_before", "percent"}:
            problems.append(_("Each refund rule gives hours before the start and a percentage."))
            continue
        hours, percent = tier.get("hours_before"), tier.get("percent")
        if not isinstance(hours, int) or isinstance(hours, bool) or hours < 0:
            problems.append(_("Hours before the start must be a whole number of 0 or more."))
        elif hours in seen:
            problems.append(_("Two refund rules have the same number of hours (%(hours)s).") % {"hours": hours})
        else:
            seen.add(hours)
        if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
            problems.append(_("The refund percentage must be a whole number from 0 to 100."))
    return problems


def event_problems(event: Event, *, now=None) -> dict[str, list[str]]:
    """What is wrong with the event's own fields (not its groups), as {field: [messages]}."""
    problems: dict[str, list[str]] = {}
    if not (event.title or "").strip():
        _add(problems, "title", _("Give the event a name."))
    if not event.sport_id:
        _add(problems, "sport", _("Choose the sport."))
    if event.venue_id is None and not (event.location or "").strip():
        _add(problems, "location", _("Without a venue, say where the event takes place."))
    if event.venue_id is not None and not event.venue.is_published:
        _add(problems, "venue", _("Choose a venue that is published on the platform."))
    if event.region_id is None:
        _add(problems, "region", _("Choose the county or district where the event takes place."))
    elif event.venue_id is None and event.region.level != RegionLevel.COUNTY:
        _add(problems, "region", _("Choose a county or district, not a city or the province."))
    starts, ends = event.starts_at, event.ends_at
    opens, closes = event.registration_opens_at, event.registration_closes_at
    for name, value in (
        ("starts_at", starts),
        ("ends_at", ends),
        ("registration_opens_at", opens),
        ("registration_closes_at", closes),
    ):
        if value is None:
            _add(problems, name, _("This date and time is required."))
    if starts and ends and ends < starts:
        _add(problems, "ends_at", _("The event must end after it starts."))
    if opens and closes and closes <= opens:
        _add(problems, "registration_closes_at", _("Registration must close after it opens."))
    if closes and starts and closes > starts:
        _add(problems, "registration_closes_at", _("Registration must close before the event starts."))
    if event.fee is None or event.fee < 0:
        _add(problems, "fee", _("The fee cannot be negative."))
    if not (event.contact_name or "").strip():
        _add(problems, "contact_name", _("Name a contact person."))
    if not (event.contact_phone or "").strip():
        _add(problems, "contact_phone", _("Give a contact phone number."))
    for message in refund_tier_problems(event.refund_tiers):
        _add(problems, "refund_tiers", message)
    if event.result_kind == ResultKind.JUDGED and (event.drop_highest or 0) + (event.drop_lowest or 0) > 6:
        _add(problems, "drop_lowest", _("Dropping that many scores leaves too few judges' scores."))
    return problems


def group_problems(group: EventGroup, *, entry_mode: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not (group.name or "").strip():
        _add(problems, "name", _("Name the group."))
    if not group.quota or group.quota <= 0:
        _add(problems, "quota", _("A group needs at least one place."))
    if group.fee is not None and group.fee < 0:
        _add(problems, "fee", _("The fee cannot be negative."))
    if group.min_age is not None and group.max_age is not None and group.max_age < group.min_age:
        _add(problems, "max_age", _("The maximum age must not be below the minimum age."))
    team_min, team_max = group.team_min or 1, group.team_max or 1
    if team_max < team_min:
        _add(problems, "team_max", _("The largest team size must not be below the smallest."))
    if entry_mode == EntryMode.TEAM and team_min < 2:
        _add(problems, "team_min", _("A team event needs teams of at least 2 people."))
    if entry_mode == EntryMode.INDIVIDUAL and (team_min != 1 or team_max != 1):
        _add(problems, "team_min", _("Individual entries have a team size of 1."))
    return problems


def field_problems(question: RegistrationField) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not (question.key or "").strip():
        _add(problems, "key", _("Give the question a key."))
    if not (question.label or "").strip():
        _add(problems, "label", _("Give the question a label."))
    if question.kind == FieldKind.CHOICE:
        choices = question.choices
        if not isinstance(choices, list) or len([c for c in choices if str(c).strip()]) < 2:
            _add(problems, "choices", _("A choice question needs at least two choices."))
    return problems


def application_problems(event: Event) -> dict[str, list[str]]:
    """Everything that keeps a stored application from being submitted."""
    problems = event_problems(event)
    groups = list(event.groups.all())
    if not groups:
        _add(problems, "groups", _("Add at least one entry group."))
    for group in groups:
        for _field, messages in group_problems(group, entry_mode=event.entry_mode).items():
            for message in messages:
                _add(problems, "groups", f"{group.name}: {message}")
    for question in event.fields.all():
        for _field, messages in field_problems(question).items():
            for message in messages:
                _add(problems, "fields", f"{question.label or question.key}: {message}")
    return problems


def check_complete(event: Event) -> None:
    """Called by review_application on submit (Event.check_complete)."""
    problems = application_problems(event)
    if event.starts_at and event.starts_at <= timezone.now():
        _add(problems, "starts_at", _("The event has already started."))
    if problems:
        raise ValidationFailed(_("The application is not complete."), fields=problems)


def on_approval_step(event: Event, step) -> None:
    """Runs inside the review transaction (Event.on_approval_step): an event whose start has
    passed is not published."""
    if step.action == ApprovalAction.APPROVED and event.starts_at <= timezone.now():
        raise ValidationFailed(
            _("The event has already started; it cannot be published."),
            fields={"starts_at": [_("The event has already started.")]},
        )


# --- writes --------------------------------------------------------------------------------------


def _require_applicant(actor, event: Event) -> None:
    if not can_apply(actor, event):
        raise NotPermitted(_("Only the organiser's staff can change this application."))


def _normalise(data: dict) -> dict:
    """Accept model instances or ids (`sport` or `sport_id`)."""
    out = {}
    for key, value in data.items():
        name = key.removesuffix("_id") if key in ("sport_id", "venue_id", "region_id") else key
        if name in ("groups", "fields", "organiser"):
            continue
        if name not in APPLICATION_FIELDS:
            raise ValidationFailed(fields={key: [_("Unknown field.")]})
        out[name] = value
    return out


def _assign(event: Event, data: dict) -> None:
    for name, value in data.items():
        if name in ("sport", "venue", "region"):
            if value is None or hasattr(value, "_meta"):
                setattr(event, name, value)
            else:
                setattr(event, f"{name}_id", value)
        elif name == "fee":
            try:
                event.fee = Decimal(str(value)) if value not in (None, "") else Decimal("0.00")
            except InvalidOperation:
                raise ValidationFailed(fields={"fee": [_("Enter an amount in yuan.")]}) from None
        elif name == "refund_tiers":
            event.refund_tiers = value or []
        else:
            setattr(event, name, value if value is not None or name not in _TEXT_FIELDS else "")
    if event.venue_id is not None:
        # The bureau of the venue's county reviews it, whatever region was given.
        event.region_id = event.venue.region_id


_TEXT_FIELDS = {"location", "description", "rules", "contact_name", "contact_phone", "title"}


def _check_region(actor, event: Event) -> dict:
    if (
        event.venue_id is None
        and event.region_id is not None
        and not regions_for(actor).filter(pk=event.region_id).exists()
    ):
        return {"region": [_("You cannot file events in this region.")]}
    return {}


def _build_group(event: Event, row: dict, position: int) -> EventGroup:
    unknown = set(row) - set(GROUP_FIELDS) - {"id"}
    if unknown:
        raise ValidationFailed(fields={"groups": [_("Unknown field.") + f" ({', '.join(sorted(unknown))})"]})
    values = {k: row[k] for k in GROUP_FIELDS if k in row}
    values.setdefault("position", position)
    if values.get("fee") in ("",):
        values["fee"] = None
    return EventGroup(event=event, **values)


def _build_question(event: Event, row: dict, position: int) -> RegistrationField:
    unknown = set(row) - set(QUESTION_FIELDS) - {"id"}
    if unknown:
        raise ValidationFailed(fields={"fields": [_("Unknown field.") + f" ({', '.join(sorted(unknown))})"]})
    values = {k: row[k] for k in QUESTION_FIELDS if k in row}
    values.setdefault("position", position)
    return RegistrationField(event=event, **values)


def _rows_problems(
    event: Event, groups: list[EventGroup] | None, questions: list[RegistrationField] | None
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if groups is not None:
        names = [g.name for g in groups]
        for group in groups:
            for _field, messages in group_problems(group, entry_mode=event.entry_mode).items():
                for message in messages:
                    _add(problems, "groups", f"{group.name or '?'}: {message}")
        if len(set(names)) != len(names):
            _add(problems, "groups", _("Two groups have the same name."))
    if questions is not None:
        keys = [q.key for q in questions]
        for question in questions:
            for _field, messages in field_problems(question).items():
                for message in messages:
                    _add(problems, "fields", f"{question.label or question.key or '?'}: {message}")
        if len(set(keys)) != len(keys):
            _add(problems, "fields", _("Two questions have the same key."))
    return problems


def _replace_rows(model, event: Event, rows: list, fields: Iterable[str], ids: list) -> None:
    """Store `rows` as the event's groups (or questions): update those with an id, create the
    others, delete the rest."""
    kept = {pk for pk in ids if pk}
    model.objects.filter(event=event).exclude(pk__in=kept).delete()
    existing = {obj.pk: obj for obj in model.objects.filter(event=event, pk__in=kept)}
    for row, pk in zip(rows, ids, strict=True):
        if pk and pk in existing:
            obj = existing[pk]
            for name in fields:
                setattr(obj, name, getattr(row, name))
            obj.save()
        elif pk:
            raise ValidationFailed(fields={model._meta.model_name: [_("This row belongs to another event.")]})
        else:
            row.event = event
            row.save()


def create_event(*, actor, organiser: Organisation, data: dict) -> Event:
    """A new draft application of `organiser`. `data`: Event fields (APPLICATION_FIELDS), plus
    `groups` (list of EventGroup field dicts) and `fields` (list of RegistrationField dicts).
    Raises NotPermitted (not the organiser's staff) or ValidationFailed({field: [messages]})."""
    if not organisers_for(actor).filter(pk=organiser.pk).exists():
        raise NotPermitted(_("You can only apply for your own organisation."))
    event = Event(organiser=organiser, status=ApprovalStatus.DRAFT, created_by=actor)
    _assign(event, _normalise(data))
    groups_data = list(data.get("groups") or [])
    questions_data = list(data.get("fields") or [])
    groups = [_build_group(event, row, n) for n, row in enumerate(groups_data)]
    questions = [_build_question(event, row, n) for n, row in enumerate(questions_data)]
    problems = event_problems(event)
    for field, messages in {**_check_region(actor, event), **_rows_problems(event, groups, questions)}.items():
        for message in messages:
            _add(problems, field, message)
    if problems:
        raise ValidationFailed(fields=problems)
    with transaction.atomic():
        event.save()
        for group in groups:
            group.event = event
            group.save()
        for question in questions:
            question.event = event
            question.save()
        audit.record(action="events.event.created", actor=actor, obj=event, organiser=organiser.pk)
    return event


def update_event(*, event: Event, actor, data: dict) -> Event:
    """Change an application. Drafts and rejected applications: anything (`groups` / `fields`,
    when given, replace the lists — rows with an `id` are kept and updated); a published event:
    only EDITABLE_WHEN_PUBLISHED; otherwise nothing (IllegalTransition)."""
    _require_applicant(actor, event)
    with transaction.atomic():
        locked = Event.objects.select_for_update(of=("self",)).select_related("venue", "region").get(pk=event.pk)
        allowed = editable_fields(locked)
        changes = _normalise(data)
        touches_parts = "groups" in data or "fields" in data
        refused = sorted(set(changes) - allowed)
        if refused or (touches_parts and not parts_editable(locked)):
            if not allowed:
                raise IllegalTransition(
                    _("This application is %(status)s and cannot be changed.") % {"status": status_label(locked)}
                )
            raise IllegalTransition(
                _("A published event can only change its description, cover and contacts."),
                fields={name: [_("Cannot be changed now.")] for name in refused or ["groups"]},
            )
        before = {name: _stored(locked, name) for name in changes}
        _assign(locked, changes)
        groups = questions = None
        group_ids = question_ids = []
        if "groups" in data:
            rows = list(data.get("groups") or [])
            groups = [_build_group(locked, row, n) for n, row in enumerate(rows)]
            group_ids = [row.get("id") for row in rows]
        if "fields" in data:
            rows = list(data.get("fields") or [])
            questions = [_build_question(locked, row, n) for n, row in enumerate(rows)]
            question_ids = [row.get("id") for row in rows]
        problems = event_problems(locked) if locked.status != ApprovalStatus.APPROVED else {}
        if locked.status == ApprovalStatus.APPROVED:
            for name in ("contact_name", "contact_phone"):
                if name in changes and not (getattr(locked, name) or "").strip():
                    _add(problems, name, _("This field is required."))
        extra = {**_check_region(actor, locked)} if {"region", "venue"} & set(changes) else {}
        if groups is None and "entry_mode" in changes:
            groups = list(locked.groups.all())
            group_ids = None
        for field, messages in {**extra, **_rows_problems(locked, groups, questions)}.items():
            for message in messages:
                _add(problems, field, message)
        if problems:
            raise ValidationFailed(fields=problems)
        locked.save()
        if groups is not None and group_ids is not None:
            _replace_rows(EventGroup, locked, groups, GROUP_FIELDS, group_ids)
        if questions is not None:
            _replace_rows(RegistrationField, locked, questions, QUESTION_FIELDS, question_ids)
        after = {name: _stored(locked, name) for name in changes}
        audit.record(
            action="events.event.updated",
            actor=actor,
            obj=locked,
            changes={k: [before[k], after[k]] for k in changes if before[k] != after[k]},
            groups_replaced=groups is not None and group_ids is not None,
            fields_replaced=questions is not None,
        )
    event.refresh_from_db()
    return event


def _stored(event: Event, name: str):
    return _plain(getattr(event, f"{name}_id" if name in ("sport", "venue", "region") else name))


def _plain(value):
    if value is None or isinstance(value, (bool, int, str, list, dict)):
        return value
    if hasattr(value, "name") and hasattr(value, "storage"):
        return value.name or ""
    return str(value)


def status_label(event: Event) -> str:
    if event.cancelled_at is not None:
        return _("cancelled")
    return event.get_status_display()


def add_attachment(*, event: Event, actor, kind: str, file, title: str = "") -> EventAttachment:
    """An application document (private file: organiser and reviewing bureau only)."""
    _require_applicant(actor, event)
    if not parts_editable(event):
        raise IllegalTransition(_("Documents can only be added while the application is a draft."))
    attachment = EventAttachment(event=event, kind=kind, title=title, file=file)
    problems: dict[str, list[str]] = {}
    if not file:
        _add(problems, "file", _("Choose a file to upload."))
    if kind not in dict(EventAttachment._meta.get_field("kind").choices):
        _add(problems, "kind", _("Choose the kind of document."))
    if problems:
        raise ValidationFailed(fields=problems)
    with transaction.atomic():
        attachment.save()
        audit.record(action="events.attachment.added", actor=actor, obj=event, attachment=attachment.pk, kind=kind)
    return attachment


def remove_attachment(*, attachment: EventAttachment, actor) -> None:
    event = attachment.event
    _require_applicant(actor, event)
    if not parts_editable(event):
        raise IllegalTransition(_("Documents can only be removed while the application is a draft."))
    with transaction.atomic():
        attachment.delete()
        audit.record(action="events.attachment.removed", actor=actor, obj=event, attachment=attachment.title)


# --- review (thin over approvals) -----------------------------------------------------------------


def submit_event(*, event: Event, actor) -> Event:
    if event.cancelled_at is not None:
        raise IllegalTransition(_("A cancelled event cannot be submitted."))
    review_application(application=event, action=ApprovalAction.SUBMITTED, actor=actor)
    return event


def approve_event(*, event: Event, actor, comment: str = "") -> Event:
    """Approve = publish (published means approved and not cancelled)."""
    review_application(application=event, action=ApprovalAction.APPROVED, actor=actor, comment=comment)
    return event


def reject_event(*, event: Event, actor, comment: str) -> Event:
    review_application(application=event, action=ApprovalAction.REJECTED, actor=actor, comment=comment)
    return event


def return_event(*, event: Event, actor, comment: str) -> Event:
    """Back to the applicant as a draft, with what to change."""
    review_application(application=event, action=ApprovalAction.RETURNED, actor=actor, comment=comment)
    return event


def withdraw_event(*, event: Event, actor, comment: str = "") -> Event:
    review_application(application=event, action=ApprovalAction.WITHDRAWN, actor=actor, comment=comment)
    return event


def can_cancel(actor, event: Event) -> bool:
    return event.is_published and (can_apply(actor, event) or can_review(actor, event))


def cancel_event(*, event: Event, actor, reason: str) -> Event:
    """Cancel a published event (its organiser's staff or the reviewing bureau; a reason is
    required). The event stops being published in one short transaction; then every registration
    is cancelled with a full refund and its registrant told why
    (events.domain.registrations.cancel_all_registrations, which talks to payment providers and
    so runs outside our lock).
    Calling it again on a cancelled event finishes registrations a failed first run left."""
    reason = (reason or "").strip()
    if not (can_apply(actor, event) or can_review(actor, event)):
        raise NotPermitted(_("Only the organiser or the responsible sports bureau can cancel this event."))
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reason, the participants will see it.")]})
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.cancelled_at is None:
            if locked.status != ApprovalStatus.APPROVED:
                raise IllegalTransition(
                    _("Only a published event can be cancelled; withdraw an application instead."),
                    fields={"status": [locked.status]},
                )
            locked.cancelled_at = timezone.now()
            locked.cancel_reason = reason[:255]
            locked.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
            audit.record(action="events.event.cancelled", actor=actor, obj=locked, reason=reason)
    # Registrants are told (with the reason) and refunded by the registration domain, one
    # order at a time outside our lock; it audits the count.
    from .registrations import cancel_all_registrations

    cancel_all_registrations(event=locked, actor=actor, reason=reason)
    event.refresh_from_db()
    return event
