"""Every change in the back office leaves an audit entry (who, when, what, before/after, from
which IP), the IP cannot be forged by the client, and nobody edits or deletes audit records."""

from __future__ import annotations

from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType

from sportsplatform.accounts.models import Organisation

from .conftest import change_form_data, sign_in


def edit_organisation(client, org, *, name, **extra):
    url = f"/admin/accounts/organisation/{org.pk}/change/"
    return client.post(url, change_form_data(client.get(url), name=name), **extra)


def update_entries(org):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation),
        object_id=org.pk,
        action=LogEntry.Action.UPDATE,
    )


def test_editing_organisation_records_before_after_actor_and_ip(world, client):
    sign_in(client, world.users["wuhou"])
    org = world.orgs["op_wuhou"]

    response = edit_organisation(client, org, name="武侯区全民健身中心（新）", REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    entry = update_entries(org).get()
    assert entry.changes_dict["name"] == ["武侯区全民健身中心", "武侯区全民健身中心（新）"]
    assert entry.actor == world.users["wuhou"]
    assert entry.remote_addr == "203.0.113.7"
    assert entry.timestamp is not None


def test_forged_forwarded_for_does_not_change_recorded_ip(world, client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    sign_in(client, world.users["wuhou"])
    org = world.orgs["op_wuhou"]

    edit_organisation(client, org, name="改名一次", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert update_entries(org).get().remote_addr == "203.0.113.7"


def test_forwarded_for_from_trusted_proxy_is_recorded(world, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    sign_in(client, world.users["wuhou"])
    org = world.orgs["op_wuhou"]

    # The client claims 1.2.3.4; our one proxy saw the client as 198.51.100.9 and appended it.
    edit_organisation(
        client, org, name="改名两次", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9"
    )

    assert update_entries(org).get().remote_addr == "198.51.100.9"


def test_audit_entries_cannot_be_changed_or_deleted(world, client):
    admin_user = world.users["admin"]
    admin_user.is_superuser = True  # not even a superuser
    admin_user.save(update_fields=["is_superuser"])
    sign_in(client, admin_user)
    entry = LogEntry.objects.filter(content_type__model="organisation").first()
    before = (entry.object_repr, entry.changes)

    view = client.get(f"/admin/auditlog/logentry/{entry.pk}/change/")
    change = client.post(f"/admin/auditlog/logentry/{entry.pk}/change/", {"object_repr": "tampered"})
    delete_page = client.get(f"/admin/auditlog/logentry/{entry.pk}/delete/")
    delete = client.post(f"/admin/auditlog/logentry/{entry.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/auditlog/logentry/", {"action": "delete_selected", "index": "0", "_selected_action": [entry.pk]}
    )

    assert view.status_code == 200  # readable
    assert change.status_code == 403
    assert delete_page.status_code == 403
    assert delete.status_code == 403
    assert bulk.status_code in (200, 302)  # "no action selected": delete_selected is not offered
    entry.refresh_from_db()
    assert (entry.object_repr, entry.changes) == before


def test_official_reads_audit_entries_of_own_county_only(world, client):
    sign_in(client, world.users["admin"])
    edit_organisation(client, world.orgs["op_wuhou"], name="武侯改名")
    edit_organisation(client, world.orgs["op_jinjiang"], name="锦江改名")
    client.logout()
    sign_in(client, world.users["wuhou"])

    body = client.get("/admin/auditlog/logentry/").content.decode()

    assert "武侯改名" in body
    assert "锦江改名" not in body
    other = update_entries(world.orgs["op_jinjiang"]).get()
    assert client.get(f"/admin/auditlog/logentry/{other.pk}/change/").status_code in (302, 403, 404)


def test_failed_sign_in_is_audited(world, client):
    client.post("/admin/login/", {"username": "t_wuhou", "password": "wrong-password"}, REMOTE_ADDR="203.0.113.8")

    entry = LogEntry.objects.filter(additional_data__action="accounts.user.login_failed").get()
    assert entry.additional_data["username"] == "t_wuhou"
    assert entry.remote_addr == "203.0.113.8"
    assert "wrong-password" not in str(entry.additional_data)


def test_admin_logout_is_audited(world, client):
    sign_in(client, world.users["wuhou"])

    client.post("/admin/logout/")

    entry = LogEntry.objects.filter(additional_data__action="accounts.user.logged_out").get()
    assert entry.actor == world.users["wuhou"]


def test_unlock_action_resets_lockout_and_is_audited(world, client):
    AccessAttempt.objects.create(
        username="t_wuhou",
        ip_address="203.0.113.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/admin/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    sign_in(client, world.users["admin"])
    attempt = AccessAttempt.objects.get()

    response = client.post(
        "/admin/axes/accessattempt/", {"action": "unlock", "index": "0", "_selected_action": [attempt.pk]}
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="t_wuhou").exists()
    entry = LogEntry.objects.filter(additional_data__action="security.lockout.unlocked").get()
    assert entry.actor == world.users["admin"]


def test_csv_export_is_audited(world, client):
    sign_in(client, world.users["wuhou"])

    response = client.post(
        "/admin/accounts/organisation/",
        {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": [world.orgs["op_wuhou"].pk]},
    )
    b"".join(response.streaming_content)

    entry = LogEntry.objects.filter(additional_data__action="backoffice.export.csv").get()
    assert entry.actor == world.users["wuhou"]
    assert entry.additional_data["rows"] == 2
