from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from sportsplatform.accounts.domain.housekeeping import prune_expired_credentials
from sportsplatform.accounts.domain.tokens import issue_token
from sportsplatform.accounts.domain.users import create_user
from sportsplatform.accounts.models import ApiToken, SmsCode

pytestmark = pytest.mark.django_db


def make_code(age: timedelta) -> SmsCode:
    created = timezone.now() - age
    return SmsCode.objects.create(
        phone="13800001111", code_hash="x", created_at=created, expires_at=created + timedelta(minutes=5)
    )


def test_prune_keeps_codes_that_still_count_towards_rate_limits():
    recent = make_code(timedelta(hours=23))
    old = make_code(timedelta(days=2))

    counts = prune_expired_credentials()

    assert counts["sms_codes"] == 1
    assert SmsCode.objects.filter(pk=recent.pk).exists()
    assert not SmsCode.objects.filter(pk=old.pk).exists()


def test_prune_deletes_only_expired_tokens():
    user = create_user(username="tokenuser", phone="13800002222")
    issue_token(user=user, name="live")
    issue_token(user=user, name="old")
    ApiToken.objects.filter(name="old").update(expires_at=timezone.now() - timedelta(seconds=1))

    counts = prune_expired_credentials()

    assert counts["api_tokens"] == 1
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["live"]


def test_prune_command_reports_counts(capsys):
    make_code(timedelta(days=3))
    call_command("prune_credentials")
    assert "deleted 1 SMS codes" in capsys.readouterr().out
