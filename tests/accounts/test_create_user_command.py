import pytest
from django.core.management import CommandError, call_command

from sportsplatform.accounts.models import Organisation, OrganisationKind, Role, User

from .factories import PASSWORD, chengdu, sichuan

pytestmark = pytest.mark.django_db


def _run(*args):
    call_command("create_user", *args)


def test_create_user_platform_admin_joins_the_platform_organisation():
    sichuan()

    _run("--username", "root", "--password", PASSWORD, "--role", "platform_admin", "--phone", "13812341234")

    user = User.objects.get(username="root")
    membership = user.memberships.get()
    assert membership.role == Role.PLATFORM_ADMIN
    assert membership.organisation.kind == OrganisationKind.PLATFORM
    assert membership.organisation.region_id == "510000"
    assert user.is_staff and user.check_password(PASSWORD) and user.phone == "13812341234"


def test_create_user_bureau_official_gets_the_regions_sports_bureau():
    chengdu()

    _run("--username", "cd", "--password", PASSWORD, "--role", "bureau_official", "--region", "510100")
    _run("--username", "cd2", "--password", PASSWORD, "--role", "bureau_official", "--region", "510100")

    bureau = Organisation.objects.get(kind=OrganisationKind.BUREAU)
    assert bureau.name == "成都市体育局" and bureau.region_id == "510100"
    assert bureau.memberships.count() == 2


def test_create_user_operator_staff_creates_or_reuses_the_organisation():
    chengdu()

    _run(
        "--username",
        "op1",
        "--password",
        PASSWORD,
        "--role",
        "operator_staff",
        "--organisation",
        "体育中心",
        "--region",
        "510100",
        "--display-name",
        "小王",
    )
    _run("--username", "op2", "--password", PASSWORD, "--role", "operator_staff", "--organisation", "体育中心")

    org = Organisation.objects.get(name="体育中心")
    assert org.kind == OrganisationKind.OPERATOR
    assert sorted(org.memberships.values_list("user__username", flat=True)) == ["op1", "op2"]
    assert User.objects.get(username="op1").display_name == "小王"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "king"], "Unknown role"),
        (["--role", "bureau_official"], "--region is required"),
        (["--role", "bureau_official", "--region", "999999"], "Unknown region"),
        (["--role", "operator_staff"], "--organisation is required"),
        (["--role", "expert", "--organisation", "专家组"], "add --region"),
        (["--phone", "12345"], "phone"),
    ],
)
def test_create_user_bad_input_is_a_clear_error_and_creates_nothing(args, message):
    chengdu()

    with pytest.raises(CommandError, match=message):
        _run("--username", "someone", "--password", PASSWORD, *args)

    assert not User.objects.filter(username="someone").exists()


def test_create_user_weak_password_and_taken_username_are_errors():
    with pytest.raises(CommandError, match="password"):
        _run("--username", "weak", "--password", "abc")
    _run("--username", "taken", "--password", PASSWORD)
    with pytest.raises(CommandError):
        _run("--username", "taken", "--password", PASSWORD)
