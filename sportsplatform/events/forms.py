"""Forms of the public event pages: the list's filters (query string, like the venue search) and
the sign-up form built from the event's groups and questions. The forms only parse and shape
input; the rules (ID number checksum, age group, quota, waiting list) are in events.domain, whose
ValidationFailed messages the view puts back on these fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from sportsplatform.regions.queries import children_of
from sportsplatform.venues.models import Sport
from sportsplatform.venues.page_queries import sport_label

from .models import EntryMode, Event, FieldKind, RegistrationField

SICHUAN = "510000"
FEE_CHOICES = [("", _("Free or paid")), ("free", _("Free")), ("paid", _("Paid"))]
MAX_TEAM_MEMBERS = 20  # a form never offers more member rows than this


@dataclass
class EventFilters:
    q: str = ""
    sport: str = ""
    region: str = ""
    date_from: date | None = None
    date_to: date | None = None
    fee: str | None = None
    open_only: bool = False
    ignored: list[str] = field(default_factory=list)

    def query_kwargs(self) -> dict:
        return {
            "q": self.q,
            "sport": self.sport or None,
            "region": self.region or None,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "fee": self.fee,
            "open_only": self.open_only,
        }

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.sport or self.region or self.date_from or self.date_to or self.fee or self.open_only)


class EventSearchForm(forms.Form):
    """Filters of events:list: name, sport, city → county, date range, free/paid, open for sign-up.
    A value the form does not understand is dropped and named, never an error page."""

    q = forms.CharField(
        label=_("Event name"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )
    sport = forms.ChoiceField(label=_("Sport"), required=False)
    city = forms.ChoiceField(label=_("City / prefecture"), required=False)
    county = forms.ChoiceField(label=_("County / district"), required=False)
    date_from = forms.DateField(label=_("Events from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Events until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    fee = forms.ChoiceField(label=_("Fee"), required=False, choices=FEE_CHOICES)
    open_only = forms.BooleanField(label=_("Open for sign-up only"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["sport"].choices = [("", _("All sports")), *((s.code, sport_label(s)) for s in Sport.objects.all())]
        cities = list(children_of(SICHUAN))
        self.fields["city"].choices = [("", _("All cities")), *((r.code, r.name) for r in cities)]
        chosen_city = (data or {}).get("city") or ""
        counties = list(children_of(chosen_city)) if chosen_city in {r.code for r in cities} else []
        self.fields["county"].choices = [("", _("All counties")), *((r.code, r.name) for r in counties)]
        if not counties:
            self.fields["county"].widget.attrs["disabled"] = True

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> EventFilters:
        self.is_valid()
        data = self.cleaned_data
        ignored = [str(self.fields[name].label) for name in self.errors if name in self.fields]
        return EventFilters(
            q=(data.get("q") or "").strip(),
            sport=data.get("sport") or "",
            region=data.get("county") or data.get("city") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            fee=data.get("fee") or None,
            open_only=bool(data.get("open_only")),
            ignored=ignored,
        )


# --- sign-up ------------------------------------------------------------------------------------

PHONE_ATTRS = {"type": "tel", "inputmode": "tel", "autocomplete": "tel", "maxlength": 20}


def answer_field(question: RegistrationField, *, label: str | None = None) -> forms.Field:
    """A form field for one question (an emergency contact is two: see emergency_fields)."""
    common = {"label": label or question.label, "required": question.required, "help_text": question.help_text}
    kind = question.kind
    if kind == FieldKind.ID_NUMBER:
        return forms.CharField(
            max_length=18,
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": 18}),
            **common,
        )
    if kind == FieldKind.PHONE:
        return forms.CharField(widget=forms.TextInput(attrs=PHONE_ATTRS), **common)
    if kind == FieldKind.DATE:
        # Kept as text: the domain parses it and says what is wrong in its own words.
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldKind.NUMBER:
        return forms.CharField(max_length=16, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if kind == FieldKind.CHOICE:
        options = [(str(c), str(c)) for c in question.choices or []]
        return forms.ChoiceField(choices=[("", _("Choose…")), *options], **common)
    return forms.CharField(max_length=255, **common)


@dataclass(frozen=True)
class QuestionRow:
    """One question as the template lays it out: one or two bound fields (an emergency contact has
    a name and a phone), and the key the domain's errors use."""

    key: str
    label: str
    kind: str
    fields: tuple
    errors: tuple = ()


@dataclass
class MemberRow:
    number: int
    name: object
    questions: list[QuestionRow]


class RegistrationForm(forms.Form):
    """The sign-up form of one event. Field names: `group`, `participant_name`, `q_<key>` (and
    `q_<key>_name`/`q_<key>_phone` for an emergency contact), `team_name`, `m<i>_name`,
    `m<i>_q_<key>` for team members. `answers()` and `members()` give the domain its input."""

    group = forms.TypedChoiceField(label=_("Group"), coerce=int, widget=forms.RadioSelect)
    participant_name = forms.CharField(
        label=_("Participant's name"), max_length=64, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, data=None, *, event: Event, groups, questions, **kwargs):
        super().__init__(data, **kwargs)
        self.event = event
        self.groups = list(groups)
        # The registrant answers every question (in a team, the leader is a member too); the other
        # members answer the questions asked of every member.
        self.questions = list(questions)
        self.member_questions = [q for q in questions if self.is_team and q.per_member]
        self.fields["group"].choices = [(g.pk, g.name) for g in self.groups]
        if len(self.groups) == 1:
            self.fields["group"].initial = self.groups[0].pk
        for question in self.questions:
            self._add_question(prefix="", question=question)
        if self.is_team:
            self.fields["participant_name"].label = _("Team leader's name")
            self.fields["team_name"] = forms.CharField(label=_("Team name"), max_length=64)
            for number in range(1, self.member_slots + 1):
                self.fields[f"m{number}_name"] = forms.CharField(
                    label=_("Member %(n)s: name") % {"n": number}, max_length=64, required=False
                )
                for question in self.member_questions:
                    self._add_question(prefix=f"m{number}_", question=question, member=number)

    @property
    def is_team(self) -> bool:
        return self.event.entry_mode == EntryMode.TEAM

    @property
    def member_slots(self) -> int:
        """Rows for members besides the registrant: the largest team any group allows, minus one."""
        largest = max((g.team_max for g in self.groups), default=1)
        return max(min(largest - 1, MAX_TEAM_MEMBERS), 0)

    def _add_question(self, *, prefix: str, question: RegistrationField, member: int | None = None) -> None:
        label = (
            question.label if member is None else _("Member %(n)s: %(label)s") % {"n": member, "label": question.label}
        )
        required = question.required and member is None  # a member row left empty is simply not sent
        if question.kind == FieldKind.EMERGENCY_CONTACT:
            self.fields[f"{prefix}q_{question.key}_name"] = forms.CharField(
                label=_("%(label)s: name") % {"label": label}, max_length=64, required=required
            )
            self.fields[f"{prefix}q_{question.key}_phone"] = forms.CharField(
                label=_("%(label)s: phone") % {"label": label},
                required=required,
                widget=forms.TextInput(attrs=PHONE_ATTRS),
            )
            return
        built = answer_field(question, label=label)
        built.required = required
        self.fields[f"{prefix}q_{question.key}"] = built

    # --- what the template lays out ------------------------------------------------------------

    def _question_row(self, prefix: str, question: RegistrationField) -> QuestionRow:
        if question.kind == FieldKind.EMERGENCY_CONTACT:
            names = (f"{prefix}q_{question.key}_name", f"{prefix}q_{question.key}_phone")
        else:
            names = (f"{prefix}q_{question.key}",)
        bound = tuple(self[name] for name in names)
        errors = tuple(e for b in bound for e in b.errors)
        return QuestionRow(key=question.key, label=question.label, kind=question.kind, fields=bound, errors=errors)

    def question_rows(self) -> list[QuestionRow]:
        return [self._question_row("", q) for q in self.questions]

    def member_rows(self) -> list[MemberRow]:
        return [
            MemberRow(
                number=n,
                name=self[f"m{n}_name"],
                questions=[self._question_row(f"m{n}_", q) for q in self.member_questions],
            )
            for n in range(1, self.member_slots + 1)
        ]

    # --- what the domain gets --------------------------------------------------------------------

    def _answers(self, prefix: str, questions) -> dict:
        data = self.cleaned_data
        out = {}
        for question in questions:
            if question.kind == FieldKind.EMERGENCY_CONTACT:
                name = (data.get(f"{prefix}q_{question.key}_name") or "").strip()
                phone = (data.get(f"{prefix}q_{question.key}_phone") or "").strip()
                if name or phone:
                    out[question.key] = {"name": name, "phone": phone}
                continue
            value = data.get(f"{prefix}q_{question.key}")
            if value not in (None, ""):
                out[question.key] = value.strip() if isinstance(value, str) else value
        return out

    def answers(self) -> dict:
        return self._answers("", self.questions)

    def members(self) -> list[dict]:
        out = []
        for n in range(1, self.member_slots + 1):
            name = (self.cleaned_data.get(f"m{n}_name") or "").strip()
            answers = self._answers(f"m{n}_", self.member_questions)
            if name or answers:
                out.append({"name": name, "answers": answers})
        return out

    def selected_group(self):
        pk = self.cleaned_data.get("group")
        return next((g for g in self.groups if g.pk == pk), None)

    def add_domain_errors(self, fields: dict) -> list[str]:
        """Put a ValidationFailed's `fields` on the form. Keys are the domain's: a question key, a
        member error `members.<i>.<key>` / `members.<i>.name` (0-based), or a model field name. An
        error on an emergency contact goes on its name box. Returns messages no field could take."""
        unplaced = []
        for key, messages in (fields or {}).items():
            messages = messages if isinstance(messages, list | tuple) else [messages]
            target = self._field_for_error(str(key))
            for message in messages:
                if target:
                    self.add_error(target, str(message))
                else:
                    unplaced.append(str(message))
        return unplaced

    def _field_for_error(self, key: str) -> str | None:
        prefix = ""
        parts = key.split(".")
        if parts[0] == "members" and len(parts) >= 2 and parts[1].isdecimal():
            prefix = f"m{int(parts[1]) + 1}_"
            key = ".".join(parts[2:]) or "name"
            if key == "name":
                return f"{prefix}name" if f"{prefix}name" in self.fields else None
        elif parts[0] == "answers" and len(parts) == 2:
            key = parts[1]
        for candidate in (f"{prefix}q_{key}", f"{prefix}q_{key}_name", f"{prefix}{key}"):
            if candidate in self.fields:
                return candidate
        return None


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=255, required=False)


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("Ticket code or scanned QR content"), max_length=512)
