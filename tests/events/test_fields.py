"""Checking sign-up answers: ID numbers by their check character, age groups from the ID's birth
date on the event day, phones, dates, numbers, choices, emergency contacts, team size and members."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from sportsplatform.core.errors import ValidationFailed
from sportsplatform.events.domain.fields import clean_answers
from sportsplatform.events.models import EntryMode, Event, EventGroup, FieldKind
from tests.events.factories import add_field, make_event, valid_id_number

pytestmark = pytest.mark.django_db


def clean(event, answers, members=(), group=None, **kwargs):
    return clean_answers(event=event, answers=answers, members=members, group=group or event.groups.first(), **kwargs)


def errors_of(event, answers, members=(), group=None, **kwargs) -> dict:
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        clean(event, answers, members, group, **kwargs)
    return caught.value.fields


@pytest.fixture
def event():
    event = make_event(quota=10)
    add_field(event, key="id_number", label="身份证号", kind=FieldKind.ID_NUMBER)
    add_field(event, key="phone", label="手机", kind=FieldKind.PHONE)
    add_field(event, key="emergency", label="紧急联系人", kind=FieldKind.EMERGENCY_CONTACT)
    add_field(event, key="size", label="T恤尺码", kind=FieldKind.CHOICE, choices=["S", "M", "L"])
    add_field(event, key="club", label="俱乐部", kind=FieldKind.TEXT, required=False)
    return event


def good_answers(**overrides) -> dict:
    answers = {
        "id_number": valid_id_number("19900101"),
        "phone": "138 0013 8000",
        "emergency": {"name": "韩梅梅", "phone": "+86 13900000000"},
        "size": "M",
    }
    answers.update(overrides)
    return answers


def id_number_ending_in_x() -> str:
    return next(n for n in (valid_id_number("19900101", sequence=f"{i:03d}") for i in range(1000)) if n.endswith("X"))


def test_clean_answers_valid_answers_are_normalised(event):
    number = id_number_ending_in_x()
    answers, members = clean(event, good_answers(id_number=number.lower() + " "))

    assert answers == {
        "id_number": number.upper(),
        "phone": "13800138000",
        "emergency": {"name": "韩梅梅", "phone": "13900000000"},
        "size": "M",
    }
    assert members == []


def test_clean_answers_id_number_with_wrong_check_character_is_refused(event):
    number = valid_id_number("19900101")
    wrong = number[:17] + ("1" if number[17] != "1" else "2")

    fields = errors_of(event, good_answers(id_number=wrong))

    assert list(fields) == ["id_number"]
    assert "check" in fields["id_number"][0]


def test_clean_answers_id_number_of_wrong_length_is_refused(event):
    fields = errors_of(event, good_answers(id_number="51010719900101"))

    assert "18" in fields["id_number"][0]


def test_clean_answers_every_problem_is_named_at_once(event):
    fields = errors_of(event, {"phone": "12345", "size": "XXL", "emergency": {"name": "", "phone": ""}})

    assert set(fields) == {"id_number", "phone", "size", "emergency"}


def test_clean_answers_emergency_contact_needs_a_valid_phone(event):
    fields = errors_of(event, good_answers(emergency={"name": "韩梅梅", "phone": "110"}))

    assert list(fields) == ["emergency"]


def test_clean_answers_emergency_contact_from_form_fields(event):
    answers = good_answers()
    del answers["emergency"]
    answers.update({"emergency_name": "韩梅梅", "emergency_phone": "13900000000"})

    cleaned, _members = clean(event, answers)

    assert cleaned["emergency"] == {"name": "韩梅梅", "phone": "13900000000"}


def test_clean_answers_optional_question_may_be_left_out(event):
    cleaned, _members = clean(event, good_answers(club=""))

    assert "club" not in cleaned


def test_clean_answers_choices_as_objects_are_accepted():
    event = make_event(quota=5)
    add_field(event, key="distance", label="距离", kind=FieldKind.CHOICE, choices=[{"value": "10k", "label": "10公里"}])

    assert clean(event, {"distance": "10k"})[0] == {"distance": "10k"}
    assert "distance" in errors_of(event, {"distance": "5k"})


def test_clean_answers_dates_and_numbers_are_checked():
    event = make_event(quota=5)
    add_field(event, key="arrival", label="到达日期", kind=FieldKind.DATE)
    add_field(event, key="best", label="最好成绩(分钟)", kind=FieldKind.NUMBER)

    cleaned, _members = clean(event, {"arrival": "2026-05-01", "best": "185.50"})
    fields = errors_of(event, {"arrival": "5月1日", "best": "很快"})

    assert cleaned == {"arrival": "2026-05-01", "best": "185.50"}
    assert set(fields) == {"arrival", "best"}


def test_clean_answers_age_from_id_number_on_event_day_is_checked(event):
    group = event.groups.first()
    EventGroup.objects.filter(pk=group.pk).update(min_age=18, max_age=40)
    group.refresh_from_db()
    day = timezone.localtime(event.starts_at).date()
    turns_18_after = (day + timedelta(days=1)).replace(year=day.year - 18)
    turns_18_on = day.replace(year=day.year - 18)

    young = errors_of(event, good_answers(id_number=valid_id_number(f"{turns_18_after:%Y%m%d}")), group=group)
    cleaned, _members = clean(event, good_answers(id_number=valid_id_number(f"{turns_18_on:%Y%m%d}")), group=group)
    old = errors_of(event, good_answers(id_number=valid_id_number("19600101")), group=group)

    assert "17" in young["id_number"][0]
    assert cleaned["id_number"]
    assert list(old) == ["id_number"]


def test_clean_answers_age_from_birth_date_question_when_no_id_number():
    event = make_event(quota=5)
    add_field(event, key="birth_date", label="出生日期", kind=FieldKind.DATE)
    EventGroup.objects.filter(event=event).update(max_age=12)

    fields = errors_of(event, {"birth_date": "1990-01-01"}, group=EventGroup.objects.get(event=event))

    assert list(fields) == ["birth_date"]


def test_clean_answers_individual_event_refuses_members(event):
    fields = errors_of(event, good_answers(), members=[{"name": "王五"}])

    assert list(fields) == ["members"]


# --- teams ------------------------------------------------------------------------------------


@pytest.fixture
def team_event():
    event = make_event(quota=10, entry_mode=EntryMode.TEAM)
    EventGroup.objects.filter(event=event).update(team_min=3, team_max=4)
    add_field(event, key="id_number", label="身份证号", kind=FieldKind.ID_NUMBER, per_member=True)
    add_field(event, key="phone", label="领队手机", kind=FieldKind.PHONE)
    return Event.objects.get(pk=event.pk)


def member(name: str, birth: str, sequence: str = "231") -> dict:
    return {"name": name, "answers": {"id_number": valid_id_number(birth, sequence=sequence)}}


def test_clean_answers_team_with_members_in_range_is_accepted(team_event):
    answers, members = clean(
        team_event,
        {"id_number": valid_id_number("19900101"), "phone": "13800138000"},
        members=[member("王五", "19910101"), member("赵六", "19920101")],
        team_name="蓉城跑团",
    )

    assert len(members) == 2
    assert members[0]["name"] == "王五"
    assert members[0]["answers"]["id_number"] == valid_id_number("19910101", sequence="231")
    assert answers["phone"] == "13800138000"


def test_clean_answers_team_too_small_and_unnamed_is_refused(team_event):
    fields = errors_of(
        team_event,
        {"id_number": valid_id_number("19900101"), "phone": "13800138000"},
        members=[member("王五", "19910101")],
        team_name=" ",
    )

    assert set(fields) == {"members", "team_name"}


def test_clean_answers_team_member_problems_are_named_per_member(team_event):
    broken = member("赵六", "19920101")
    broken["answers"]["id_number"] = broken["answers"]["id_number"][:17] + "Y"

    fields = errors_of(
        team_event,
        {"id_number": valid_id_number("19900101"), "phone": "13800138000"},
        members=[member("", "19910101"), broken],
        team_name="蓉城跑团",
    )

    assert set(fields) == {"members.0.name", "members.1.id_number"}


def test_clean_answers_same_id_number_twice_on_a_team_is_refused(team_event):
    fields = errors_of(
        team_event,
        {"id_number": valid_id_number("19900101"), "phone": "13800138000"},
        members=[member("王五", "19910101"), member("王五", "19910101")],
        team_name="蓉城跑团",
    )

    assert list(fields) == ["members.1.id_number"]
