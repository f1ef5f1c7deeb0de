"""Checking the answers to an event's sign-up questions (RegistrationField) before anything is
booked: required answers, resident ID numbers by their check character, the age group from the
ID's birth date on the event day, mobile numbers, dates, numbers, choices, emergency contacts,
and for team events the team's name, size and each member's answers.

`clean_answers` returns normalised copies (ID numbers upper-case without spaces, phones as 11
digits, dates ISO, emergency contacts as {"name", "phone"}) or raises ValidationFailed naming
every problem at once. Error keys: the question's key for the registrant's answers,
`members.<i>.<key>` / `members.<i>.name` for the i-th member (0-based), `members`, `team_name`."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core.errors import ValidationFailed
from sportsplatform.core.idnumbers import parse_id_number

from ..models import EntryMode, Event, EventGroup, FieldKind, RegistrationField

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MAX_TEXT = 200
# A date question with one of these keys gives the birth date when no ID number is asked.
BIRTH_DATE_KEYS = ("birth_date", "birthday", "date_of_birth")


def normalise_phone(value) -> str:
    """Mainland mobile number: spaces, dashes and a +86 / 0086 prefix dropped."""
    phone = re.sub(r"[\s\-()]", "", str(value or ""))
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
    return phone


def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    return str(value).strip() == ""


def _choice_values(field: RegistrationField) -> list[str]:
    """Choices are stored as strings or {"value", "label"} objects."""
    values = []
    for choice in field.choices or []:
        values.append(str(choice.get("value", choice.get("label", ""))) if isinstance(choice, dict) else str(choice))
    return values


def event_day(event: Event) -> date:
    return timezone.localtime(event.starts_at).date()


def check_age(*, birth: date, group: EventGroup, event: Event) -> str | None:
    """The message when someone born on `birth` is outside the group's ages on the event day."""
    if group.min_age is None and group.max_age is None:
        return None
    day = event_day(event)
    age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    if group.min_age is not None and age < group.min_age:
        return _("%(group)s is for ages %(range)s on the event day; this person will be %(age)d.") % {
            "group": group.name,
            "range": age_range(group),
            "age": age,
        }
    if group.max_age is not None and age > group.max_age:
        return _("%(group)s is for ages %(range)s on the event day; this person will be %(age)d.") % {
            "group": group.name,
            "range": age_range(group),
            "age": age,
        }
    return None


def age_range(group: EventGroup) -> str:
    if group.min_age is not None and group.max_age is not None:
        return _("%(min)d–%(max)d") % {"min": group.min_age, "max": group.max_age}
    if group.min_age is not None:
        return _("%(min)d and over") % {"min": group.min_age}
    if group.max_age is not None:
        return _("up to %(max)d") % {"max": group.max_age}
    return ""


def _clean_one(field: RegistrationField, raw, *, flat: dict) -> tuple[object, str | None]:
    """(normalised value, error message or None) for one answer. `flat` holds the raw answers,
    for an emergency contact given as `<key>_name` / `<key>_phone` (what an HTML form posts)."""
    if field.kind == FieldKind.EMERGENCY_CONTACT:
        if not isinstance(raw, dict):
            raw = {"name": flat.get(f"{field.key}_name", ""), "phone": flat.get(f"{field.key}_phone", "")}
        name = str(raw.get("name") or "").strip()[:64]
        phone = normalise_phone(raw.get("phone"))
        if not name and not phone:
            return None, (_("Give an emergency contact: name and mobile number.") if field.required else None)
        if not name:
            return None, _("Give the emergency contact's name.")
        if not MOBILE_RE.match(phone):
            return None, _("Enter the emergency contact's 11-digit mobile number.")
        return {"name": name, "phone": phone}, None

    if _blank(raw):
        return None, (_("This question must be answered.") if field.required else None)
    if isinstance(raw, dict | list):
        return None, _("Enter a single value.")
    text = str(raw).strip()

    if field.kind == FieldKind.ID_NUMBER:
        try:
            return parse_id_number(text).number, None
        except ValidationError as exc:
            return None, str(exc.messages[0])
    if field.kind == FieldKind.PHONE:
        phone = normalise_phone(text)
        if not MOBILE_RE.match(phone):
            return None, _("Enter an 11-digit mainland mobile number, e.g. 13800000000.")
        return phone, None
    if field.kind == FieldKind.DATE:
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return None, _("Enter a date as YYYY-MM-DD.")
    if field.kind == FieldKind.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, _("Enter a number.")
        if not number.is_finite() or abs(number) >= Decimal("1e9"):
            return None, _("Enter a number.")
        return str(number.normalize()) if number == number.to_integral_value() else str(number), None
    if field.kind == FieldKind.CHOICE:
        allowed = _choice_values(field)
        if text not in allowed:
            return None, _("Choose one of: %(choices)s.") % {"choices": "、".join(allowed)}
        return text, None
    if len(text) > MAX_TEXT:
        return None, _("At most %(n)d characters.") % {"n": MAX_TEXT}
    return text, None


def _clean_person(
    *, fields: list[RegistrationField], answers: dict, event: Event, group: EventGroup, prefix: str, errors: dict
) -> dict:
    cleaned: dict = {}
    birth: date | None = None
    birth_key = None
    for field in fields:
        value, error = _clean_one(field, answers.get(field.key), flat=answers)
        if error:
            errors.setdefault(f"{prefix}{field.key}", []).append(error)
            continue
        if value is None:
            continue
        cleaned[field.key] = value
        if field.kind == FieldKind.ID_NUMBER and birth is None:
            birth, birth_key = parse_id_number(value).birth_date, field.key
        elif field.kind == FieldKind.DATE and field.key in BIRTH_DATE_KEYS and birth is None:
            birth, birth_key = date.fromisoformat(value), field.key
    if birth is not None:
        message = check_age(birth=birth, group=group, event=event)
        if message:
            errors.setdefault(f"{prefix}{birth_key}", []).append(message)
    return cleaned


def clean_answers(
    *,
    event: Event,
    answers: dict | None,
    members: list | tuple | None,
    group: EventGroup,
    team_name: str | None = None,
) -> tuple[dict, list[dict]]:
    """Validate the sign-up of one registrant (and, for a team, its other members) against the
    event's questions and the group's age and team-size limits. Returns (answers, members).
    `team_name`, when given (register passes it), must be filled in for a team event."""
    answers = answers if isinstance(answers, dict) else {}
    members = list(members or [])
    fields = list(event.fields.all())
    errors: dict[str, list[str]] = {}

    cleaned = _clean_person(fields=fields, answers=answers, event=event, group=group, prefix="", errors=errors)

    cleaned_members: list[dict] = []
    if event.entry_mode == EntryMode.TEAM:
        if team_name is not None and not str(team_name).strip():
            errors.setdefault("team_name", []).append(_("Give the team's name."))
        size = 1 + len(members)  # the registrant is a member too
        if size < group.team_min or size > group.team_max:
            errors.setdefault("members", []).append(
                _("A team in %(group)s has %(min)d to %(max)d people including you; this one has %(n)d.")
                % {"group": group.name, "min": group.team_min, "max": group.team_max, "n": size}
            )
        member_fields = [f for f in fields if f.per_member]
        seen_ids: dict[str, str] = {}
        for field in fields:
            if field.kind == FieldKind.ID_NUMBER and field.key in cleaned:
                seen_ids[cleaned[field.key]] = field.key
        for i, member in enumerate(members):
            if not isinstance(member, dict):
                errors.setdefault(f"members.{i}.name", []).append(_("Give the member's name."))
                continue
            name = str(member.get("name") or "").strip()[:64]
            if not name:
                errors.setdefault(f"members.{i}.name", []).append(_("Give the member's name."))
            member_answers = member.get("answers") if isinstance(member.get("answers"), dict) else {}
            done = _clean_person(
                fields=member_fields,
                answers=member_answers,
                event=event,
                group=group,
                prefix=f"members.{i}.",
                errors=errors,
            )
            for field in member_fields:
                number = done.get(field.key) if field.kind == FieldKind.ID_NUMBER else None
                if number and number in seen_ids:
                    errors.setdefault(f"members.{i}.{field.key}", []).append(
                        _("This ID number is already on the team.")
                    )
                elif number:
                    seen_ids[number] = field.key
            cleaned_members.append({"name": name, "answers": done})
    elif members:
        errors.setdefault("members", []).append(_("This event takes individual entries only."))

    if errors:
        raise ValidationFailed(_("Please correct the sign-up form."), fields=errors)
    return cleaned, cleaned_members
