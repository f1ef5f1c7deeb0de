"""The one scoping mechanism, exercised on Organisation (region-scoped) and Membership (scoped
through its organisation). Back-office and API tests check that their pages use it."""

import pytest

from sportsplatform.accounts.domain.users import create_organisation, create_user, grant_membership
from sportsplatform.accounts.models import Membership, Organisation, OrganisationKind, Role
from sportsplatform.core.errors import NotFound
from sportsplatform.core.scoping import Scope, can_change, regions_for, require_visible, scope_for, visible_to
from sportsplatform.regions.models import Region, RegionLevel

REGIONS = [
    ("510000", "四川省", RegionLevel.PROVINCE, None),
    ("510100", "成都市", RegionLevel.PREFECTURE, "510000"),
    ("510107", "武侯区", RegionLevel.COUNTY, "510100"),
    ("510104", "锦江区", RegionLevel.COUNTY, "510100"),
    ("510700", "绵阳市", RegionLevel.PREFECTURE, "510000"),
    ("510703", "涪城区", RegionLevel.COUNTY, "510700"),
    ("500000", "重庆市", RegionLevel.PROVINCE, None),
    ("500103", "渝中区", RegionLevel.COUNTY, "500000"),
]


@pytest.fixture
def regions(db):
    out = {}
    for code, name, level, parent in REGIONS:
        out[code], _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent_id": parent}
        )
    return out


def official(regions, code, username):
    bureau = create_organisation(name=f"{regions[code].name}体育局", kind=OrganisationKind.BUREAU, region=regions[code])
    user = create_user(username=username, password="Str0ng!pass")
    grant_membership(user=user, organisation=bureau)
    return user


@pytest.fixture
def operators(regions):
    return {
        code: create_organisation(
            name=f"{regions[code].name}体育中心", kind=OrganisationKind.OPERATOR, region=regions[code]
        )
        for code in ("510107", "510104", "510703", "500103")
    }


def visible_codes(user):
    return set(
        visible_to(user, Organisation.objects.filter(kind=OrganisationKind.OPERATOR)).values_list(
            "region_id", flat=True
        )
    )


def test_scope_county_official_sees_only_their_county(regions, operators):
    wuhou = official(regions, "510107", "wuhou")
    assert visible_codes(wuhou) == {"510107"}


def test_scope_city_official_sees_every_county_of_the_city(regions, operators):
    chengdu = official(regions, "510100", "chengdu")
    assert visible_codes(chengdu) == {"510107", "510104"}


def test_scope_province_official_sees_sichuan_not_chongqing(regions, operators):
    sichuan = official(regions, "510000", "sichuan")
    assert visible_codes(sichuan) == {"510107", "510104", "510703"}


def test_scope_operator_staff_sees_only_their_organisation(regions, operators):
    staff = create_user(username="op", password="Str0ng!pass")
    grant_membership(user=staff, organisation=operators["510107"])
    assert set(visible_to(staff, Organisation.objects.all())) == {operators["510107"]}


def test_scope_platform_admin_sees_everything(regions, operators):
    platform = create_organisation(name="平台", kind=OrganisationKind.PLATFORM, region=regions["510000"])
    admin = create_user(username="padmin", password="Str0ng!pass")
    grant_membership(user=admin, organisation=platform)
    assert scope_for(admin).everything
    assert visible_codes(admin) == {"510107", "510104", "510703", "500103"}


def test_scope_public_user_sees_nothing(regions, operators):
    public = create_user(username="public", phone="13800000001")
    assert scope_for(public).is_empty
    assert not visible_to(public, Organisation.objects.all()).exists()


def test_scope_revoked_membership_no_longer_counts(regions, operators):
    wuhou = official(regions, "510107", "wuhou")
    Membership.objects.filter(user=wuhou).update(is_active=False)
    wuhou = type(wuhou).objects.get(pk=wuhou.pk)  # a fresh request's user
    assert visible_codes(wuhou) == set()


def test_require_visible_answers_out_of_scope_like_missing(regions, operators):
    wuhou = official(regions, "510107", "wuhou")
    with pytest.raises(NotFound):
        require_visible(wuhou, Organisation.objects.all(), pk=operators["510703"].pk)
    with pytest.raises(NotFound):
        require_visible(wuhou, Organisation.objects.all(), pk=999_999)
    assert require_visible(wuhou, Organisation.objects.all(), pk=operators["510107"].pk) == operators["510107"]


def test_can_change_is_false_for_neighbouring_county(regions, operators):
    wuhou = official(regions, "510107", "wuhou")
    assert can_change(wuhou, operators["510107"])
    assert not can_change(wuhou, operators["510104"])


def test_scope_follows_memberships_through_related_paths(regions, operators):
    staff = create_user(username="jinjiang-staff", password="Str0ng!pass")
    grant_membership(user=staff, organisation=operators["510104"])
    wuhou = official(regions, "510107", "wuhou")
    memberships = visible_to(wuhou, Membership.objects.all())
    assert {m.organisation.region_id for m in memberships} == {"510107"}


def test_regions_for_limits_assignable_regions(regions):
    chengdu = official(regions, "510100", "chengdu")
    codes = set(regions_for(chengdu).values_list("code", flat=True))
    assert {"510100", "510107", "510104"} <= codes
    assert all(code.startswith("5101") for code in codes)
    assert "510703" not in codes


def test_regions_for_city_level_organisation_covers_its_counties(regions):
    association = create_organisation(
        name="成都市田径协会", kind=OrganisationKind.INSTITUTION, region=regions["510100"]
    )
    staff = create_user(username="athletics_staff", password="Str0ng!pass")
    grant_membership(user=staff, organisation=association)

    codes = set(regions_for(staff).values_list("code", flat=True))

    assert {"510100", "510107", "510104"} <= codes
    assert not codes & {"510000", "510700", "510703", "500103"}


def test_regions_for_county_organisation_stays_in_its_county(regions):
    club = create_organisation(name="武侯区游泳俱乐部", kind=OrganisationKind.INSTITUTION, region=regions["510107"])
    staff = create_user(username="club_staff", password="Str0ng!pass")
    grant_membership(user=staff, organisation=club)

    assert set(regions_for(staff).values_list("code", flat=True)) == {"510107"}


def test_scope_nested_prefixes_collapse():
    scope = Scope(region_prefixes=("51",))
    assert scope.allows_region("510107")
    assert not scope.allows_region("500103")
    assert not scope.allows_region(None)


def test_grant_membership_refuses_platform_admin_role_in_a_bureau(regions):
    bureau = create_organisation(name="武侯区体育局", kind=OrganisationKind.BUREAU, region=regions["510107"])
    user = create_user(username="sneaky", password="Str0ng!pass")
    from sportsplatform.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        grant_membership(user=user, organisation=bureau, role=Role.PLATFORM_ADMIN)
    assert not Membership.objects.filter(user=user).exists()


def test_lies_in_scope_follows_an_unsaved_parent_like_an_add_page_inline(regions):
    from sportsplatform.core.admin import lies_in_scope

    wuhou = official(regions, "510107", "wuhou-inline")
    parent_in = Organisation(name="未保存的单位", kind=OrganisationKind.OPERATOR, region=regions["510107"])
    parent_out = Organisation(name="别处的单位", kind=OrganisationKind.OPERATOR, region=regions["510104"])

    assert lies_in_scope(wuhou, Membership(organisation=parent_in, role=Role.OPERATOR_STAFF))
    assert not lies_in_scope(wuhou, Membership(organisation=parent_out, role=Role.OPERATOR_STAFF))
