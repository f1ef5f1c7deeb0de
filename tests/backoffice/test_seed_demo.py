"""seed_demo creates the documented demo logins with the right roles and regions, and a second
run adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from sportsplatform.accounts.models import Membership, Organisation, Role, User
from sportsplatform.backoffice.demo import DEMO_PASSWORD, register_seed_step, seed_steps
from sportsplatform.core.scoping import scope_for


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        LogEntry.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_twice_creates_nothing_twice():
    seed()
    first = counts()

    seed()

    assert counts() == first
    assert first[0] >= 6 and first[1] >= 20


@pytest.mark.django_db
def test_seed_demo_if_empty_tops_up_a_demo_database_without_duplicates():
    seed()
    first = counts()

    output = seed("--if-empty")

    assert "Demo data ready" in output
    assert counts() == first


@pytest.mark.django_db
def test_seed_demo_if_empty_leaves_a_real_database_alone():
    User.objects.create_user(username="real-official", password="Str0ng!pass")

    output = seed("--if-empty")

    assert "not seeding" in output
    assert not User.objects.filter(username="admin").exists()


EXPECTED_LOGINS = {
    # username: (role, region code of the organisation, is_staff)
    "admin": (Role.PLATFORM_ADMIN, "510000", True),
    "sichuan": (Role.BUREAU_OFFICIAL, "510000", True),
    "chengdu": (Role.BUREAU_OFFICIAL, "510100", True),
    "wuhou": (Role.BUREAU_OFFICIAL, "510107", True),
    "operator": (Role.OPERATOR_STAFF, None, True),
    "yumao": (Role.INSTITUTION_STAFF, "510100", True),
    "youyong": (Role.INSTITUTION_STAFF, "510107", True),
}


@pytest.mark.django_db
def test_seed_demo_creates_the_logins_with_roles_and_regions():
    seed()

    for username, (role, region, is_staff) in EXPECTED_LOGINS.items():
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD), username
        assert user.is_staff is is_staff
        membership = user.memberships.get(is_active=True)
        assert membership.role == role
        if region:
            assert membership.organisation.region_id == region
    public = User.objects.get(username="user")
    assert public.phone == "13800000000"
    assert public.check_password(DEMO_PASSWORD)
    assert not public.is_staff and not public.memberships.exists()
    assert scope_for(User.objects.get(username="admin")).everything
    assert scope_for(User.objects.get(username="wuhou")).region_prefixes == ("510107",)
    assert scope_for(User.objects.get(username="chengdu")).region_prefixes == ("5101",)
    assert scope_for(User.objects.get(username="sichuan")).region_prefixes == ("51",)
    operator = User.objects.get(username="operator").memberships.get().organisation
    assert operator.kind == "operator" and operator.region_id == "510107"


@pytest.mark.django_db
def test_seed_demo_covers_sichuan_and_chongqing():
    seed()

    assert Organisation.objects.filter(name="四川省体育局", region_id="510000").exists()
    assert Organisation.objects.filter(name="成都市体育局", region_id="510100").exists()
    assert Organisation.objects.filter(name="武侯区体育局", region_id="510107").exists()
    assert Organisation.objects.filter(name="重庆市体育局", region_id="500000").exists()
    assert Organisation.objects.filter(kind="operator", region__code__startswith="50").exists()
    # Every Sichuan prefecture present in the region data has its bureau.
    prefectures = Organisation.objects.filter(kind="bureau", region__level="prefecture", region__code__startswith="51")
    assert prefectures.count() >= 3


@pytest.mark.django_db
def test_registered_seed_steps_run_in_order():
    calls = []
    register_seed_step(90, lambda ctx: calls.append("late"), name="test.late")
    register_seed_step(
        15, lambda ctx: calls.append(("early", ctx.organisation("四川省体育局").name)), name="test.early"
    )
    try:
        seed()
    finally:
        from sportsplatform.backoffice import demo

        demo._STEPS.pop("test.late")
        demo._STEPS.pop("test.early")

    assert calls == [("early", "四川省体育局"), "late"]
    assert [s.order for s in seed_steps()] == sorted(s.order for s in seed_steps())


@pytest.mark.django_db
def test_demo_logins_prints_the_table():
    seed()
    out = StringIO()

    call_command("demo_logins", stdout=out)

    text = out.getvalue()
    for username in ("admin", "sichuan", "chengdu", "wuhou", "operator", "user"):
        assert f"| {username} " in text
    assert DEMO_PASSWORD in text and "/admin/" in text and "/accounts/login/" in text
