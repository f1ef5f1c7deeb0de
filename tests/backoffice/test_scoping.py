"""The back office shows and changes only what lies in the user's scope: by list, by search, by
filter, by export, and by an id guessed into the URL."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from sportsplatform.accounts.models import Membership, Organisation, Role, User

ORG_LIST = "/admin/accounts/organisation/"


def org_url(org, view="change"):
    return f"/admin/accounts/organisation/{org.pk}/{view}/"


def names_in(response, world, keys):
    body = response.content.decode()
    return {key for key in keys if world.orgs[key].name in body}


ALL_ORGS = [
    "bureau_sichuan",
    "bureau_chengdu",
    "bureau_wuhou",
    "bureau_jinjiang",
    "bureau_mianyang",
    "bureau_chongqing",
    "op_wuhou",
    "op_jinjiang",
    "op_fucheng",
    "op_yuzhong",
]


def test_organisation_list_county_official_sees_only_own_county(world, as_user):
    client = as_user(world.users["wuhou"])

    response = client.get(ORG_LIST)

    assert response.status_code == 200
    assert names_in(response, world, ALL_ORGS) == {"bureau_wuhou", "op_wuhou"}


def test_organisation_list_city_official_sees_chengdu_counties_not_mianyang(world, as_user):
    client = as_user(world.users["chengdu"])

    response = client.get(ORG_LIST)

    assert names_in(response, world, ALL_ORGS) == {
        "bureau_chengdu",
        "bureau_wuhou",
        "bureau_jinjiang",
        "op_wuhou",
        "op_jinjiang",
    }


def test_organisation_list_province_official_sees_sichuan_not_chongqing(world, as_user):
    client = as_user(world.users["sichuan"])

    response = client.get(ORG_LIST)

    seen = names_in(response, world, ALL_ORGS)
    assert seen == set(ALL_ORGS) - {"bureau_chongqing", "op_yuzhong"}
    # The platform operator's own organisation lies in 510000 but is for platform admins only.
    assert world.orgs["platform"].name not in response.content.decode()


def test_organisation_list_platform_admin_sees_everything(world, as_user):
    client = as_user(world.users["admin"])

    response = client.get(ORG_LIST)

    assert names_in(response, world, ALL_ORGS) == set(ALL_ORGS)
    assert world.orgs["platform"].name in response.content.decode()


@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_other_county_organisation_by_url_answers_like_missing(world, as_user, view):
    client = as_user(world.users["wuhou"])
    other = world.orgs["op_jinjiang"]

    out_of_scope = client.get(org_url(other, view))
    missing = client.get(f"/admin/accounts/organisation/999999/{view}/")

    # Officials may not delete organisations at all: then both answer 403, equally uninformative.
    assert out_of_scope.status_code == missing.status_code
    assert out_of_scope.status_code in (302, 403, 404)
    assert other.name not in out_of_scope.content.decode()
    if out_of_scope.status_code == 302:
        assert out_of_scope["Location"] == missing["Location"]


def test_other_county_organisation_post_change_changes_nothing(world, as_user):
    client = as_user(world.users["wuhou"])
    other = world.orgs["op_jinjiang"]

    response = client.post(
        org_url(other), {"name": "被改名", "kind": other.kind, "region": other.region_id, "is_active": "on"}
    )

    assert response.status_code in (302, 404)
    other.refresh_from_db()
    assert other.name == "锦江区社区运动中心"


def test_other_county_organisation_cannot_be_deleted_by_post(world, as_user):
    client = as_user(world.users["wuhou"])
    other = world.orgs["op_jinjiang"]

    client.post(org_url(other, "delete"), {"post": "yes"})

    assert Organisation.objects.filter(pk=other.pk).exists()


def test_add_organisation_in_other_county_is_a_field_error_and_saves_nothing(world, as_user):
    client = as_user(world.users["wuhou"])

    response = client.post(
        f"{ORG_LIST}add/", {"name": "越界场馆公司", "kind": "operator", "region": "510104", "credit_code": ""}
    )

    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    assert not Organisation.objects.filter(name="越界场馆公司").exists()


def test_add_organisation_in_own_county_is_saved(world, as_user):
    client = as_user(world.users["wuhou"])

    response = client.post(
        f"{ORG_LIST}add/", {"name": "武侯区新场馆公司", "kind": "operator", "region": "510107", "credit_code": ""}
    )

    assert response.status_code == 302
    assert Organisation.objects.get(name="武侯区新场馆公司").region_id == "510107"


def test_add_organisation_official_cannot_pick_platform_kind(world, as_user):
    client = as_user(world.users["sichuan"])

    response = client.post(f"{ORG_LIST}add/", {"name": "冒名平台", "kind": "platform", "region": "510000"})

    assert response.status_code == 200
    assert "kind" in response.context["adminform"].form.errors
    assert not Organisation.objects.filter(name="冒名平台").exists()


def test_search_stays_in_scope(world, as_user):
    client = as_user(world.users["wuhou"])

    response = client.get(ORG_LIST, {"q": "锦江"})

    assert world.orgs["op_jinjiang"].name not in response.content.decode()


def test_region_filter_lists_only_regions_in_scope(world, as_user):
    client = as_user(world.users["chengdu"])

    response = client.get(ORG_LIST, {"region": "510107"})
    body = response.content.decode()

    assert names_in(response, world, ALL_ORGS) == {"bureau_wuhou", "op_wuhou"}
    assert "涪城区" not in body  # not offered as a filter choice
    assert "锦江区 510104" in body  # offered


def test_region_filter_with_out_of_scope_code_shows_nothing(world, as_user):
    client = as_user(world.users["wuhou"])

    response = client.get(ORG_LIST, {"region": "510703"})

    assert names_in(response, world, ALL_ORGS) == set()


def test_region_autocomplete_offers_only_regions_in_scope(world, as_user):
    client = as_user(world.users["wuhou"])

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "organisation", "field_name": "region", "term": "区"},
    )

    assert response.status_code == 200
    assert {r["id"] for r in response.json()["results"]} == {"510107"}


def test_csv_export_contains_only_scoped_rows(world, as_user):
    client = as_user(world.users["wuhou"])
    every_id = [str(world.orgs[key].pk) for key in ALL_ORGS]

    response = client.post(
        ORG_LIST, {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": every_id}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # BOM: Excel opens the Chinese text correctly
    rows = text.lstrip("\ufeff").strip().splitlines()
    assert len(rows) == 1 + 2
    assert "武侯区全民健身中心" in text and "武侯区体育局" in text
    assert "锦江区" not in text and "涪城区" not in text


def test_csv_export_of_selected_out_of_scope_ids_ignores_them(world, as_user):
    client = as_user(world.users["wuhou"])

    response = client.post(
        ORG_LIST,
        {"action": "export_csv", "index": "0", "_selected_action": [str(world.orgs["op_jinjiang"].pk)]},
    )

    # Django finds no selected row in the scoped list, so nothing is exported.
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "锦江区社区运动中心" not in text


def test_user_list_official_sees_staff_of_own_region_only(world, as_user):
    client = as_user(world.users["wuhou"])

    body = client.get("/admin/accounts/user/").content.decode()

    assert "t_wuhou_op" in body and "t_wuhou" in body
    assert "t_jinjiang_op" not in body
    assert "t_public" not in body  # the public at large is not an official's business
    assert "t_admin" not in body


def test_user_list_never_shows_full_phone(world, as_user):
    client = as_user(world.users["admin"])

    body = client.get("/admin/accounts/user/").content.decode()

    assert "13800138000" not in body
    assert "138****8000" in body


def test_user_change_official_is_read_only(world, as_user):
    client = as_user(world.users["wuhou"])
    colleague = world.users["wuhou_operator"]

    response = client.post(f"/admin/accounts/user/{colleague.pk}/change/", {"username": "hijacked"})

    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.username == "t_wuhou_op"


def test_user_of_other_county_by_url_answers_like_missing(world, as_user):
    client = as_user(world.users["wuhou"])

    response = client.get(f"/admin/accounts/user/{world.users['jinjiang_operator'].pk}/change/")

    assert response.status_code in (302, 404)
    assert "t_jinjiang_op" not in response.content.decode()


def grant(client, **data):
    return client.post("/admin/accounts/membership/add/", data)


def test_grant_platform_admin_by_official_is_refused(world, as_user):
    client = as_user(world.users["sichuan"])

    response = grant(client, account="t_public", organisation=world.orgs["platform"].pk, role=Role.PLATFORM_ADMIN)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "role" in errors and "organisation" in errors
    assert not Membership.objects.filter(user=world.users["public"]).exists()


def test_grant_platform_admin_in_own_bureau_is_refused(world, as_user):
    client = as_user(world.users["wuhou"])

    response = grant(client, account="t_public", organisation=world.orgs["bureau_wuhou"].pk, role=Role.PLATFORM_ADMIN)

    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=world.users["public"]).exists()


def test_grant_role_in_other_county_is_refused(world, as_user):
    client = as_user(world.users["wuhou"])

    response = grant(client, account="t_public", organisation=world.orgs["op_jinjiang"].pk, role=Role.OPERATOR_STAFF)

    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=world.users["public"]).exists()


def test_grant_operator_role_in_own_county_makes_staff(world, as_user):
    client = as_user(world.users["wuhou"])
    public = world.users["public"]

    response = grant(client, account="13800138000", organisation=world.orgs["op_wuhou"].pk, role=Role.OPERATOR_STAFF)

    assert response.status_code == 302
    membership = Membership.objects.get(user=public)
    assert (membership.organisation, membership.role, membership.is_active) == (
        world.orgs["op_wuhou"],
        Role.OPERATOR_STAFF,
        True,
    )
    public.refresh_from_db()
    assert public.is_staff


def test_revoke_membership_through_change_form(world, as_user):
    client = as_user(world.users["wuhou"])
    membership = Membership.objects.get(user=world.users["wuhou_operator"])

    response = client.post(f"/admin/accounts/membership/{membership.pk}/change/", {})  # is_active unticked

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_active is False


def test_membership_of_other_county_by_url_answers_like_missing(world, as_user):
    client = as_user(world.users["wuhou"])
    membership = Membership.objects.get(user=world.users["jinjiang_operator"])

    response = client.get(f"/admin/accounts/membership/{membership.pk}/change/")

    assert response.status_code in (302, 404)
    assert "t_jinjiang_op" not in response.content.decode()


def test_operator_staff_sees_own_organisation_read_only(world, as_user):
    client = as_user(world.users["wuhou_operator"])

    listing = client.get(ORG_LIST)
    change = client.post(org_url(world.orgs["op_wuhou"]), {"name": "改名", "kind": "operator", "region": "510107"})

    assert names_in(listing, world, ALL_ORGS) == {"op_wuhou"}
    assert change.status_code == 403


def test_regions_are_read_only_for_officials(world, as_user):
    client = as_user(world.users["sichuan"])

    listing = client.get("/admin/regions/region/", {"q": "武侯"})
    change = client.post("/admin/regions/region/510107/change/", {"name": "改名"})

    assert listing.status_code == 200 and "510107" in listing.content.decode()
    assert change.status_code == 403


def test_security_pages_are_for_platform_admins_only(world, as_user):
    official = as_user(world.users["sichuan"])

    assert official.get("/admin/axes/accessattempt/").status_code == 403
    assert official.get("/admin/otp_totp/totpdevice/").status_code == 403


def test_dashboard_counts_stay_in_scope(world, as_user):
    client = as_user(world.users["wuhou"])

    response = client.get("/admin/")

    assert response.status_code == 200
    cards = {card["icon"]: card["value"] for card in response.context["dashboard_cards"]}
    assert cards["corporate_fare"] == 2  # organisations: the bureau and the venue operator
    assert cards["group"] == 2  # users: the official and the operator's staff member
    assert cards["map"] == 1  # regions: 武侯区 itself
    assert "武侯区" in response.context["scope_description"]


def test_language_switch_shows_english_back_office(world, as_user):
    client = as_user(world.users["wuhou"])

    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    english = client.get("/admin/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    chinese = client.get("/admin/").content.decode()

    assert "Accounts and permissions" in english
    assert "账户与权限" in chinese


def test_platform_admin_creates_user_through_domain_with_password_rules(world, as_user):
    client = as_user(world.users["admin"])
    form = {"username": "new_staff", "display_name": "新同事", "phone": "13912345678", "usable_password": "true"}

    weak = client.post("/admin/accounts/user/add/", {**form, "password1": "demo12345", "password2": "demo12345"})
    strong = client.post("/admin/accounts/user/add/", {**form, "password1": "Tiyu!2026Ok", "password2": "Tiyu!2026Ok"})

    assert weak.status_code == 200 and "password2" in weak.context["adminform"].form.errors
    assert strong.status_code == 302
    user = User.objects.get(username="new_staff")
    assert user.check_password("Tiyu!2026Ok") and user.phone == "13912345678"
    created = LogEntry.objects.get(additional_data__action="accounts.user.created", object_id=user.pk)
    assert created.actor == world.users["admin"]


def test_official_cannot_add_users(world, as_user):
    client = as_user(world.users["sichuan"])

    response = client.post("/admin/accounts/user/add/", {"username": "sneaky"})

    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_delete_view_with_delete_permission_still_hides_other_county(world, as_user):
    from django.contrib.auth.models import Permission

    official = world.users["wuhou"]
    official.user_permissions.add(Permission.objects.get(codename="delete_organisation"))
    client = as_user(User.objects.get(pk=official.pk))

    own = client.get(org_url(world.orgs["op_wuhou"], "delete"))
    other = client.get(org_url(world.orgs["op_jinjiang"], "delete"))
    missing = client.get("/admin/accounts/organisation/999999/delete/")
    client.post(org_url(world.orgs["op_jinjiang"], "delete"), {"post": "yes"})

    assert own.status_code == 200
    assert other.status_code == missing.status_code == 302
    assert other["Location"] == missing["Location"]
    assert Organisation.objects.filter(pk=world.orgs["op_jinjiang"].pk).exists()
