"""The message box: my messages only, unread badge, mark read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sportsplatform.notifications.models import Notification
from tests.support.accounts import make_public_user
from tests.support.queries import assert_same_query_count

pytestmark = pytest.mark.django_db


def message(user, title="预订成功", **extra):
    return Notification.objects.create(user=user, kind="booking.confirmed", title=title, **extra)


def test_message_box_shows_my_messages_and_the_unread_count_in_the_header(client):
    user = make_public_user(phone="13800138001")
    message(user, title="我的消息")
    message(make_public_user(phone="13800138002"), title="别人的消息")
    client.force_login(user)

    html = client.get(reverse("messages:list")).content.decode()

    assert "我的消息" in html and "别人的消息" not in html
    assert "data-unread" in html


def test_mark_one_read_then_all(client):
    user = make_public_user()
    first, second = message(user), message(user)
    client.force_login(user)

    client.post(reverse("messages:read"), {"id": first.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None

    client.post(reverse("messages:read"))
    second.refresh_from_db()
    assert second.read_at is not None
    assert "data-unread" not in client.get(reverse("messages:list")).content.decode()


def test_marking_someone_elses_message_changes_nothing(client):
    other = message(make_public_user(phone="13800138002"))
    client.force_login(make_public_user(phone="13800138001"))

    client.post(reverse("messages:read"), {"id": other.pk})

    other.refresh_from_db()
    assert other.read_at is None


def test_mark_read_goes_only_to_local_links(client):
    user = make_public_user()
    client.force_login(user)
    response = client.post(reverse("messages:read"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("messages:list")


def test_message_box_needs_login(client):
    assert client.get(reverse("messages:list")).status_code == 302


def test_message_box_has_no_n_plus_one(client):
    user = make_public_user()
    client.force_login(user)
    assert_same_query_count(client, reverse("messages:list"), lambda n: [message(user) for _ in range(n)])
