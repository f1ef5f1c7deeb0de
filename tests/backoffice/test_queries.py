"""Back-office lists cost the same number of queries with 1 row as with 20 (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sportsplatform.accounts.domain.users import create_organisation, create_user, grant_membership
from sportsplatform.accounts.models import Membership, Organisation, OrganisationKind, Role

from .conftest import sign_in


def _operators(world, n):
    region = world.regions["510107"]
    start = Organisation.objects.filter(name__startswith="测试场馆").count()
    for i in range(start, start + n):
        org = create_organisation(name=f"测试场馆{i:02d}", kind=OrganisationKind.OPERATOR, region=region)
        staff = create_user(username=f"staff{i:02d}", display_name=f"员工{i:02d}", phone=f"1390000{i:04d}")
        grant_membership(user=staff, organisation=org, role=Role.OPERATOR_STAFF)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _assert_flat(client, world, url, django_assert_num_queries, *, rows_in_page):
    _operators(world, 1)
    client.get(url)  # warm per-process caches (content types, sessions)
    with_one = _count(client, url)
    _operators(world, 19)

    with django_assert_num_queries(with_one):
        response = client.get(url)

    assert response.content.decode().count(rows_in_page) >= 20


def test_organisation_changelist_query_count_does_not_grow(world, client, django_assert_num_queries):
    sign_in(client, world.users["wuhou"])
    _assert_flat(client, world, "/admin/accounts/organisation/", django_assert_num_queries, rows_in_page="测试场馆")


def test_user_changelist_query_count_does_not_grow(world, client, django_assert_num_queries):
    sign_in(client, world.users["admin"])
    _assert_flat(client, world, "/admin/accounts/user/", django_assert_num_queries, rows_in_page="员工")


def test_membership_changelist_query_count_does_not_grow(world, client, django_assert_num_queries):
    sign_in(client, world.users["chengdu"])
    _assert_flat(client, world, "/admin/accounts/membership/", django_assert_num_queries, rows_in_page="测试场馆")
    assert Membership.objects.count() > 20


def test_audit_log_changelist_query_count_does_not_grow(world, client, django_assert_num_queries):
    sign_in(client, world.users["admin"])
    _assert_flat(client, world, "/admin/auditlog/logentry/", django_assert_num_queries, rows_in_page="测试场馆")
