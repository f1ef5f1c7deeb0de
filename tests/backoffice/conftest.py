"""A small province for the back-office tests: Sichuan with Chengdu (锦江区, 武侯区) and Mianyang
(涪城区), and Chongqing (渝中区); a bureau in each, a venue operator in each county, and one official
per level. Built through the accounts domain functions so roles and scopes are the real ones.
Regions are get_or_create'd: the regions app's data migration may or may not have loaded them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sportsplatform.accounts.domain.users import create_organisation, create_user, grant_membership
from sportsplatform.accounts.models import Organisation, OrganisationKind, Role, User
from sportsplatform.regions.models import Region, RegionLevel

OFFICIAL_PASSWORD = "Bureau!Pass2026"

REGIONS = [
    ("510000", "四川省", RegionLevel.PROVINCE, None),
    ("510100", "成都市", RegionLevel.PREFECTURE, "510000"),
    ("510104", "锦江区", RegionLevel.COUNTY, "510100"),
    ("510107", "武侯区", RegionLevel.COUNTY, "510100"),
    ("510700", "绵阳市", RegionLevel.PREFECTURE, "510000"),
    ("510703", "涪城区", RegionLevel.COUNTY, "510700"),
    ("500000", "重庆市", RegionLevel.PROVINCE, None),
    ("500103", "渝中区", RegionLevel.COUNTY, "500000"),
]


@pytest.fixture(autouse=True)
def _trusted_ip_auditlog_middleware(settings):
    """Until settings name backoffice's AuditlogMiddleware, use it in these tests (see the report
    in the back-office commit: settings should swap it in for good)."""
    settings.MIDDLEWARE = [
        "sportsplatform.backoffice.middleware.AuditlogMiddleware"
        if m == "auditlog.middleware.AuditlogMiddleware"
        else m
        for m in settings.MIDDLEWARE
    ]


@dataclass
class World:
    regions: dict[str, Region]
    orgs: dict[str, Organisation]
    users: dict[str, User]


def ensure_regions() -> dict[str, Region]:
    out = {}
    for code, name, level, parent in REGIONS:
        out[code], _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent_id": parent}
        )
    return out


def make_staff(username: str, organisation: Organisation, role: str) -> User:
    user = create_user(username=username, password=OFFICIAL_PASSWORD, display_name=username)
    grant_membership(user=user, organisation=organisation, role=role)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def world(db) -> World:
    regions = ensure_regions()
    org = {}

    def organisation(key, name, kind, code):
        org[key] = create_organisation(name=name, kind=kind, region=regions[code])

    organisation("platform", "平台运营中心", OrganisationKind.PLATFORM, "510000")
    organisation("bureau_sichuan", "四川省体育局", OrganisationKind.BUREAU, "510000")
    organisation("bureau_chengdu", "成都市体育局", OrganisationKind.BUREAU, "510100")
    organisation("bureau_wuhou", "武侯区体育局", OrganisationKind.BUREAU, "510107")
    organisation("bureau_jinjiang", "锦江区体育局", OrganisationKind.BUREAU, "510104")
    organisation("bureau_mianyang", "绵阳市体育局", OrganisationKind.BUREAU, "510700")
    organisation("bureau_chongqing", "重庆市体育局", OrganisationKind.BUREAU, "500000")
    organisation("op_wuhou", "武侯区全民健身中心", OrganisationKind.OPERATOR, "510107")
    organisation("op_jinjiang", "锦江区社区运动中心", OrganisationKind.OPERATOR, "510104")
    organisation("op_fucheng", "涪城区体育馆", OrganisationKind.OPERATOR, "510703")
    organisation("op_yuzhong", "渝中区大田湾体育场", OrganisationKind.OPERATOR, "500103")

    users = {
        "admin": make_staff("t_admin", org["platform"], Role.PLATFORM_ADMIN),
        "sichuan": make_staff("t_sichuan", org["bureau_sichuan"], Role.BUREAU_OFFICIAL),
        "chengdu": make_staff("t_chengdu", org["bureau_chengdu"], Role.BUREAU_OFFICIAL),
        "wuhou": make_staff("t_wuhou", org["bureau_wuhou"], Role.BUREAU_OFFICIAL),
        "jinjiang_operator": make_staff("t_jinjiang_op", org["op_jinjiang"], Role.OPERATOR_STAFF),
        "wuhou_operator": make_staff("t_wuhou_op", org["op_wuhou"], Role.OPERATOR_STAFF),
    }
    users["public"] = create_user(username="t_public", phone="13800138000", display_name="群众甲")
    return World(regions=regions, orgs=org, users=users)


def sign_in(client, user: User) -> None:
    """A back-office session as the staff sign-in leaves it: logged in and, for accounts that must
    use a second factor (platform admins), verified with their TOTP device."""
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def as_user(client):
    def login(user: User):
        sign_in(client, user)
        return client

    return login


def change_form_data(response, **changes) -> dict:
    """POST data for an admin change form as the browser would send it: every field's current
    value, the inline formsets' management forms and rows, then `changes` on top."""
    data = {}

    def add_form(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    add_form(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        add_form(formset.management_form)
        for form in formset.initial_forms:
            add_form(form)
    data.update(changes)
    return data
