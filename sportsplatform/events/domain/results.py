"""Results of an event: entered by the organiser's staff (one by one on the results page or in bulk
from the Excel template), placings computed from the values, and the ranking published.

Values: a time (h:mm:ss(.fff), lower is better) or a score (higher is better), per the event's
`result_kind`; events with placings only take the placing. DNF/DSQ/DNS entries get no placing.
A placing the organiser gives (a photo finish, a jury's decision) is kept (`placing_given`); every
other placing is 1 + the number of entries of the group with a strictly better value, so ties
share a placing and the next one skips ("1, 2, 2, 4").

Judged events take no entered results: `judging.close_scoring` writes them and publishes.

Results may be corrected after they are published (the public ranking follows); every save is
audited. Only confirmed entries get a result."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportsplatform.core import audit
from sportsplatform.core.errors import Conflict, NotPermitted, ValidationFailed
from sportsplatform.core.scoping import scope_for
from sportsplatform.core.signups import SignupStatus

from ..models import Event, EventGroup, Registration, Result, ResultKind


class StatusNote:
    """Why an entry has no placing. Codes are what sports results print; labels translate."""

    DNF = "DNF"
    DSQ = "DSQ"
    DNS = "DNS"
    LABELS = {
        DNF: gettext_lazy("did not finish"),
        DSQ: gettext_lazy("disqualified"),
        DNS: gettext_lazy("did not start"),
    }
    # Also accepted when typed or imported.
    ALIASES = {"未完赛": DNF, "退赛": DNF, "取消资格": DSQ, "犯规": DSQ, "未出发": DNS, "弃权": DNS, "缺赛": DNS}
    ORDER = {DNF: 0, DSQ: 1, DNS: 2}

    @classmethod
    def clean(cls, raw: str) -> str:
        value = (raw or "").strip()
        if not value:
            return ""
        upper = value.upper()
        if upper in cls.LABELS:
            return upper
        if value in cls.ALIASES:
            return cls.ALIASES[value]
        raise ValueError(value)


# --- who may do what ------------------------------------------------------------------------


def can_manage_results(user, event: Event) -> bool:
    """The organiser's staff (and platform admins) enter results, assign judges, issue
    certificates and write the summary. Bureau officials of the region look, read-only."""
    scope = scope_for(user)
    return scope.everything or scope.allows_organisation(event.organiser_id)


def require_manager(user, event: Event) -> None:
    if not can_manage_results(user, event):
        raise NotPermitted(_("Only the organiser's staff can do this."))


# --- values ---------------------------------------------------------------------------------

_SECONDS = re.compile(r"^\d{1,6}(?:\.\d{1,3})?$")
_WHOLE = re.compile(r"^\d{1,3}$")
MAX_VALUE = Decimal("999999999")


def parse_time(raw) -> tuple[Decimal, str]:
    """A time as (seconds, display). Takes "1:32:05", "32:05.12", "10.52" (seconds), and the
    time/timedelta values Excel cells hold. Raises ValueError with a message."""
    if isinstance(raw, timedelta):
        seconds = Decimal(str(round(raw.total_seconds(), 3)))
        return seconds, format_time(seconds)
    if isinstance(raw, datetime):
        raw = raw.time()
    if isinstance(raw, time):
        seconds = Decimal(raw.hour * 3600 + raw.minute * 60 + raw.second) + Decimal(raw.microsecond) / Decimal(10**6)
        seconds = seconds.quantize(Decimal("0.001")).normalize()
        return seconds, format_time(seconds)
    if isinstance(raw, int | float | Decimal):
        raw = str(raw)
    text = str(raw).strip().replace("：", ":").replace("。", ".")
    parts = text.split(":")
    if len(parts) > 3 or not _SECONDS.match(parts[-1]) or not all(_WHOLE.match(p) for p in parts[:-1]):
        raise ValueError(_("Write the time as h:mm:ss, mm:ss or seconds (for example 1:32:05 or 12.34)."))
    seconds = Decimal(parts[-1])
    if len(parts) > 1:
        if seconds >= 60:
            raise ValueError(_("Seconds must be below 60."))
        minutes = int(parts[-2])
        if len(parts) == 3 and minutes >= 60:
            raise ValueError(_("Minutes must be below 60."))
        seconds += minutes * 60
    if len(parts) == 3:
        seconds += int(parts[0]) * 3600
    places = len(parts[-1].split(".")[1]) if "." in parts[-1] else 0
    return seconds, format_time(seconds, places=places)


def format_time(seconds: Decimal, *, places: int | None = None) -> str:
    """1:32:05, 32:05.12 or 12.34: hours and minutes only when there are any."""
    seconds = Decimal(seconds)
    if places is None:
        exponent = seconds.normalize().as_tuple().exponent
        places = max(0, min(3, -exponent)) if isinstance(exponent, int) else 0
    whole = int(seconds)
    fraction = seconds - whole
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    fraction_text = f"{fraction:.{places}f}"[1:] if places else ""
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}{fraction_text}"
    if minutes:
        return f"{minutes}:{secs:02d}{fraction_text}"
    return f"{secs}{fraction_text}"


def parse_score(raw) -> tuple[Decimal, str]:
    if isinstance(raw, float):
        raw = repr(raw)
    text = str(raw).strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Write the score as a number, for example 9.35.")) from None
    if not value.is_finite() or value < 0 or value > MAX_VALUE:
        raise ValueError(_("The score must be a number from 0 up."))
    if value != value.quantize(Decimal("0.001")):
        raise ValueError(_("At most three decimal places."))
    return value, text


def parse_placing(raw) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip().removeprefix("第").removesuffix("名")
    if not text.isdigit() or not 1 <= int(text) <= 100000:
        raise ValueError(_("The placing is a whole number from 1."))
    return int(text)


# --- entering -------------------------------------------------------------------------------


@dataclass
class ResultInput:
    """What the organiser typed for one entry (a form row or a spreadsheet row)."""

    registration_id: int
    value: object = ""
    placing: object = None
    status_note: str = ""
    row: int | None = None  # spreadsheet row number, for error messages


@dataclass
class _Clean:
    registration: Registration
    value: Decimal | None
    display: str
    placing: int | None
    status_note: str
    empty: bool = False


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_row(event: Event, item: ResultInput, registration: Registration | None) -> tuple[_Clean | None, list[str]]:
    errors: list[str] = []
    if registration is None:
        return None, [_("No confirmed entry with number %(id)s in this event.") % {"id": item.registration_id}]
    try:
        note = StatusNote.clean(item.status_note)
    except ValueError:
        errors.append(_("The note must be DNF, DSQ or DNS."))
        note = ""
    try:
        placing = parse_placing(item.placing)
    except ValueError as exc:
        errors.append(str(exc))
        placing = None
    value, display = None, ""
    if not _is_blank(item.value):
        if event.result_kind == ResultKind.PLACING:
            errors.append(_("This event records placings only; leave the result empty."))
        else:
            try:
                value, display = (parse_time if event.result_kind == ResultKind.TIME else parse_score)(item.value)
            except ValueError as exc:
                errors.append(str(exc))
    if errors:
        return None, errors
    if value is None and placing is None and not note:
        return _Clean(registration, None, "", None, "", empty=True), []
    if note and placing is not None:
        errors.append(_("An entry marked %(note)s has no placing.") % {"note": note})
    if not note:
        if event.result_kind == ResultKind.PLACING and placing is None:
            errors.append(_("Give the placing."))
        elif event.result_kind in (ResultKind.TIME, ResultKind.SCORE) and value is None:
            errors.append(_("Give the result (or DNF, DSQ, DNS)."))
    if errors:
        return None, errors
    return _Clean(registration, value, display, placing, note), []


def _check_can_enter(event: Event, actor) -> None:
    require_manager(actor, event)
    if event.result_kind == ResultKind.JUDGED:
        raise Conflict(
            _("Results of a judged event come from the judges' scores when the chief judge closes scoring."),
            code="judged_event",
        )
    if not event.is_published:
        raise Conflict(_("Results can only be entered for a published event."), code="not_published")


def confirmed_entries(event: Event):
    return (
        Registration.objects.filter(event=event, status=SignupStatus.CONFIRMED)
        .select_related("group")
        .order_by("group__position", "group_id", "bib", "participant_name", "id")
    )


def save_results(*, event: Event, actor, rows: list[ResultInput]) -> int:
    """Save results for many entries at once, all or nothing. An entry whose row is empty loses
    its result. Returns how many results were written or cleared. Raises ValidationFailed with
    `fields={"rows": {"<row or entry>": [messages]}}` when any row is bad (nothing saved)."""
    _check_can_enter(event, actor)
    entries = {r.pk: r for r in confirmed_entries(event)}
    problems: dict[str, list[str]] = {}
    cleaned: list[_Clean] = []
    seen: set[int] = set()
    for item in rows:
        key = str(item.row if item.row is not None else item.registration_id)
        if item.registration_id in seen:
            problems[key] = [_("Entry %(id)s appears twice.") % {"id": item.registration_id}]
            continue
        seen.add(item.registration_id)
        clean, errors = _clean_row(event, item, entries.get(item.registration_id))
        if errors:
            problems[key] = errors
        else:
            cleaned.append(clean)
    if problems:
        raise ValidationFailed(
            _("%(count)s rows have errors; nothing was saved.") % {"count": len(problems)},
            fields={"rows": problems},
        )
    with transaction.atomic():
        changed = _write(event=event, actor=actor, cleaned=cleaned)
        audit.record(action="events.results.saved", actor=actor, obj=event, rows=len(cleaned), changed=changed)
    return changed


def record_result(
    *, event: Event, registration: Registration, actor, value="", placing=None, status_note: str = ""
) -> Result | None:
    """One entry's result (None when everything is empty: the result is removed)."""
    try:
        save_results(
            event=event,
            actor=actor,
            rows=[ResultInput(registration.pk, value=value, placing=placing, status_note=status_note)],
        )
    except ValidationFailed as exc:
        messages = exc.fields.get("rows", {}).get(str(registration.pk))
        raise ValidationFailed(" ".join(messages) if messages else exc.message, fields={"result": messages}) from None
    return Result.objects.filter(registration=registration).first()


def _write(*, event: Event, actor, cleaned: list[_Clean]) -> int:
    existing = {r.registration_id: r for r in Result.objects.select_for_update().filter(event=event)}
    changed = 0
    groups: set[int] = set()
    for c in cleaned:
        result = existing.get(c.registration.pk)
        groups.add(c.registration.group_id)
        if c.empty:
            if result is not None:
                result.delete()
                changed += 1
            continue
        if result is None:
            result = Result(event=event, registration=c.registration, group_id=c.registration.group_id)
        new = (c.value, c.display, c.placing, c.placing is not None, c.status_note)
        old = (
            result.value,
            result.display,
            result.placing if result.placing_given else None,
            result.placing_given,
            result.status_note,
        )
        if result.pk and old == new:
            continue
        result.value, result.display, result.status_note = c.value, c.display, c.status_note
        result.placing, result.placing_given = c.placing, c.placing is not None
        result.entered_by = actor
        result.save()
        changed += 1
    for group_id in sorted(groups):
        compute_placings(event=event, group_id=group_id)
    return changed


def compute_placings(*, event: Event, group_id: int) -> None:
    """Placings of the entries without a given one: 1 + entries with a strictly better value."""
    results = list(Result.objects.filter(event=event, group_id=group_id).order_by("id"))
    lower_is_better = event.result_kind == ResultKind.TIME
    ranked = [r.value for r in results if r.value is not None and not r.status_note]
    for result in results:
        if result.placing_given:
            continue
        if result.value is None or result.status_note:
            placing = None
        elif lower_is_better:
            placing = 1 + sum(1 for v in ranked if v < result.value)
        else:
            placing = 1 + sum(1 for v in ranked if v > result.value)
        if placing != result.placing:
            Result.objects.filter(pk=result.pk).update(placing=placing)


# --- Excel import ---------------------------------------------------------------------------

# Columns of the results template (events.interfaces.exports.results_template writes it): the
# entry number identifies the row; group, bib, name and team are there for the person typing.
TEMPLATE_COLUMNS = ("entry", "group", "bib", "participant", "team", "result", "placing", "note")
COL_ENTRY, COL_RESULT, COL_PLACING, COL_NOTE = 0, 5, 6, 7
MAX_IMPORT_ROWS = 20000
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def read_results_sheet(file) -> list[ResultInput]:
    """The rows of an uploaded results template. Raises ValidationFailed for a file that is not
    the template; row problems are left to save_results (which names the row numbers)."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    if getattr(file, "size", 0) and file.size > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("The file is too large (at most 5 MB)."), fields={"file": ["too large"]})
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError, TypeError):
        raise ValidationFailed(
            _("This is not an Excel file (.xlsx). Download the template and fill it in."), fields={"file": ["invalid"]}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[ResultInput] = []
        problems: dict[str, list[str]] = {}
        for number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=len(TEMPLATE_COLUMNS), values_only=True), 2):
            cells = tuple(cells) + (None,) * (len(TEMPLATE_COLUMNS) - len(cells))
            if all(_is_blank(c) for c in cells):
                continue
            if number - 1 > MAX_IMPORT_ROWS:
                raise ValidationFailed(_("Too many rows."), fields={"file": ["too many rows"]})
            entry = cells[COL_ENTRY]
            if isinstance(entry, float) and entry.is_integer():
                entry = int(entry)
            if not str(entry if entry is not None else "").strip().isdigit():
                problems[str(number)] = [_("The entry number in column A is missing or not a number.")]
                continue
            rows.append(
                ResultInput(
                    registration_id=int(str(entry).strip()),
                    value=cells[COL_RESULT],
                    placing=cells[COL_PLACING],
                    status_note=str(cells[COL_NOTE] or ""),
                    row=number,
                )
            )
    finally:
        workbook.close()
    if problems:
        raise ValidationFailed(
            _("%(count)s rows have errors; nothing was saved.") % {"count": len(problems)}, fields={"rows": problems}
        )
    if not rows:
        raise ValidationFailed(_("The file has no results."), fields={"file": ["empty"]})
    return rows


def import_results(*, event: Event, actor, file) -> int:
    """Save the results of an uploaded template: all rows or none (errors name the row)."""
    _check_can_enter(event, actor)
    rows = read_results_sheet(file)
    changed = save_results(event=event, actor=actor, rows=rows)
    audit.record(action="events.results.imported", actor=actor, obj=event, rows=len(rows))
    return changed


# --- publishing -----------------------------------------------------------------------------


def publish_results(*, event: Event, actor) -> Event:
    """Publish the ranking (public page and the event's detail page); participants are told."""
    _check_can_enter(event, actor)
    if not Result.objects.filter(event=event).exists():
        raise Conflict(_("Enter some results before publishing."), code="no_results")
    now = timezone.now()
    with transaction.atomic():
        updated = Event.objects.filter(pk=event.pk, results_published_at__isnull=True).update(results_published_at=now)
        if not updated:
            raise Conflict(_("The results are already published."), code="already_published")
        audit.record(action="events.results.published", actor=actor, obj=event)
        notify_results_published(event)
    event.results_published_at = now
    return event


def unpublish_results(*, event: Event, actor) -> Event:
    """Take the ranking off the public pages (to correct it quietly); judged events cannot."""
    _check_can_enter(event, actor)
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(results_published_at=None)
        audit.record(action="events.results.unpublished", actor=actor, obj=event)
    event.results_published_at = None
    return event


def notify_results_published(event: Event) -> None:
    from sportsplatform.notifications.domain.send import notify_many

    users = [
        r.user for r in Registration.objects.filter(event=event, status=SignupStatus.CONFIRMED).select_related("user")
    ]
    notify_many(
        users=users,
        kind="events.results",
        title=_("Results of %(event)s are published") % {"event": event.title},
        link=reverse("events:results", args=[event.pk]),
    )


# --- reading --------------------------------------------------------------------------------


@dataclass
class RankingRow:
    placing: int | None
    name: str
    team_name: str
    bib: str
    display: str
    status_note: str
    registration_id: int
    user_id: int

    @property
    def note_label(self) -> str:
        return str(StatusNote.LABELS.get(self.status_note, self.status_note))


@dataclass
class GroupRanking:
    group: EventGroup
    rows: list[RankingRow] = field(default_factory=list)


def _row_key(row: RankingRow):
    return (
        row.placing is None,
        row.placing or 0,
        StatusNote.ORDER.get(row.status_note, 9),
        row.name,
        row.registration_id,
    )


def ranking(*, event: Event, group: EventGroup | None = None) -> list[GroupRanking]:
    """The ranking per group (best first; unplaced entries last), in two queries."""
    groups = EventGroup.objects.filter(event=event).order_by("position", "id")
    if group is not None:
        groups = groups.filter(pk=group.pk)
    results = Result.objects.filter(event=event).select_related("registration").order_by("id")
    if group is not None:
        results = results.filter(group=group)
    out = {g.pk: GroupRanking(group=g) for g in groups}
    for r in results:
        if r.group_id in out:
            reg = r.registration
            out[r.group_id].rows.append(
                RankingRow(
                    placing=r.placing,
                    name=reg.participant_name,
                    team_name=reg.team_name,
                    bib=reg.bib,
                    display=r.display,
                    status_note=r.status_note,
                    registration_id=reg.pk,
                    user_id=reg.user_id,
                )
            )
    for g in out.values():
        g.rows.sort(key=_row_key)
    return [g for g in out.values() if g.rows]


def published_ranking(event: Event) -> list[GroupRanking]:
    """The public ranking: empty unless the event is published and its results are."""
    if not (event.is_published and event.results_published_at):
        return []
    return ranking(event=event)


def results_by_entry(event: Event) -> dict[int, Result]:
    return {r.registration_id: r for r in Result.objects.filter(event=event)}


def entries_with_results(event: Event) -> list[GroupRanking]:
    """For the results page of the back office: every group with its confirmed entries (and
    their result, if any) in entry order."""
    groups = list(
        EventGroup.objects.filter(event=event)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=Registration.objects.filter(status=SignupStatus.CONFIRMED)
                .select_related("result")
                .order_by("bib", "participant_name", "id"),
                to_attr="confirmed",
            )
        )
    )
    return groups


__all__ = [
    "GroupRanking",
    "RankingRow",
    "ResultInput",
    "StatusNote",
    "can_manage_results",
    "compute_placings",
    "confirmed_entries",
    "entries_with_results",
    "format_time",
    "import_results",
    "parse_placing",
    "parse_score",
    "parse_time",
    "publish_results",
    "published_ranking",
    "ranking",
    "read_results_sheet",
    "record_result",
    "require_manager",
    "results_by_entry",
    "save_results",
    "unpublish_results",
]
