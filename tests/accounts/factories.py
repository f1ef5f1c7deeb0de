"""Accounts test data, built through the accounts domain functions so roles, scopes and
password dates are the real ones."""

from __future__ import annotations

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from sportsplatform.accounts.domain.users import create_organisation, create_user, grant_membership
from sportsplatform.accounts.models import ROLE_FOR_KIND, OrganisationKind, Role, User
from sportsplatform.regions.models import Region, RegionLevel

PASSWORD = "Sp0rts!Venue"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "510000"
    name = "四川省"
    level = RegionLevel.PROVINCE


def sichuan() -> Region:
    return RegionFactory(code="510000", name="四川省", level=RegionLevel.PROVINCE)


def chengdu() -> Region:
    return RegionFactory(code="510100", name="成都市", level=RegionLevel.PREFECTURE, parent=sichuan())


class UserFactory(factory.django.DjangoModelFactory):
    """A user made by create_user (password validated, password_changed_at set)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD
    phone = None
    display_name = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return create_user(**kwargs)


KIND_FOR_ROLE = {role: kind for kind, role in ROLE_FOR_KIND.items()}


def staff_user(*, role: str = Role.OPERATOR_STAFF, **kwargs) -> User:
    """A back-office user holding `role` in an organisation of the matching kind."""
    kind = KIND_FOR_ROLE[role]
    region = sichuan() if kind == OrganisationKind.PLATFORM else chengdu()
    names = {OrganisationKind.PLATFORM: "平台", OrganisationKind.BUREAU: "成都市体育局"}
    organisation = create_organisation(name=names.get(kind, "成都体育中心"), kind=kind, region=region)
    user = UserFactory(**kwargs)
    grant_membership(user=user, organisation=organisation, role=role)
    user.refresh_from_db()
    return user


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
