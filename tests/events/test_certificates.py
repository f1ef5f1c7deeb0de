"""Certificates: issuing after results, titles, the PDF, QR verification, revocation, downloads."""

from __future__ import annotations

import hashlib
import re
import time
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from sportsplatform.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from sportsplatform.core.signups import SignupStatus
from sportsplatform.events.domain import certificates as certs
from sportsplatform.events.domain import results
from sportsplatform.events.models import Certificate, ResultKind
from tests.events.factories import make_event, make_organiser
from tests.events.results_factories import login_staff, make_entry
from tests.support.accounts import make_public_user

pytestmark = pytest.mark.django_db


def zh(msgid: str) -> str:
    """Certificates are Chinese whatever the issuer's language."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def finished():
    """A race with published results: 张三 first, 李四 DNF, 王五 ninth."""
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.TIME, title="龙泉山越野赛")
    first = make_entry(event, name="张三")
    dnf = make_entry(event, name="李四")
    ninth = make_entry(event, name="王五")
    results.record_result(event=event, registration=first, actor=staff, value="3:01:02")
    results.record_result(event=event, registration=dnf, actor=staff, status_note="DNF")
    results.record_result(event=event, registration=ninth, actor=staff, value="3:30:00", placing=9)
    results.publish_results(event=event, actor=staff)
    return {"event": event, "staff": staff, "first": first, "dnf": dnf, "ninth": ninth}


def test_issue_certificate_before_results_are_published_is_refused():
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser)
    entry = make_entry(event)

    with pytest.raises(Conflict):
        certs.issue_certificate(registration=entry, actor=staff)
    assert not Certificate.objects.exists()


def test_issue_certificate_titles_follow_the_placing(finished):
    staff = finished["staff"]

    titles = {
        key: certs.issue_certificate(registration=finished[key], actor=staff).title for key in ("first", "dnf", "ninth")
    }

    assert titles == {
        "first": zh("Place %(n)s") % {"n": 1},
        "dnf": zh("Certificate of participation"),
        "ninth": zh("Certificate of participation"),
    }


def test_issue_certificate_twice_returns_the_same_one(finished):
    one = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])

    assert certs.issue_certificate(registration=finished["first"], actor=finished["staff"]) == one
    assert certs.issue_certificates(event=finished["event"], actor=finished["staff"]) == 2
    assert Certificate.objects.count() == 3


def test_issue_certificate_for_an_unconfirmed_entry_is_refused(finished):
    waiting = make_entry(finished["event"], status=SignupStatus.WITHDRAWN)

    with pytest.raises(Conflict):
        certs.issue_certificate(registration=waiting, actor=finished["staff"])


def test_issue_certificate_by_another_organisation_is_refused(finished):
    _org, stranger = make_organiser()

    with pytest.raises(NotPermitted):
        certs.issue_certificate(registration=finished["first"], actor=stranger)


def test_second_valid_certificate_of_an_entry_is_refused_by_the_database(finished):
    one = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])

    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(registration=one.registration, title="x", code="ZS1", token_hash="f" * 64)


def test_certificate_stores_only_the_hash_of_its_token(finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])
    token = certs.certificate_token(certificate)

    assert certificate.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Certificate.objects.filter(pk=certificate.pk).values().get())


def test_certificate_token_drawn_again_later_still_verifies(finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])
    an_hour_later = time.time() + 3600

    with mock.patch("time.time", return_value=an_hour_later):
        token = certs.certificate_token(certificate)  # the PDF is drawn on every download

    assert certs.verify_certificate(token).is_valid


# --- verification ---------------------------------------------------------------------------


def test_verify_certificate_by_token_and_by_number(finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])

    by_token = certs.verify_certificate(certs.certificate_token(certificate))
    by_code = certs.verify_certificate(certificate.code.lower())

    assert by_token.is_valid and by_token.certificate == certificate
    assert by_code.is_valid and by_code.certificate == certificate


@pytest.mark.parametrize("raw", ["", "ZS20260000000000", "garbage", "eyJjIjoxfQ:forged:signature"])
def test_verify_certificate_of_unknown_or_forged_input_says_unknown(finished, raw):
    certs.issue_certificate(registration=finished["first"], actor=finished["staff"])

    assert certs.verify_certificate(raw).state == certs.VerificationState.UNKNOWN


def test_verify_certificate_with_a_token_of_a_changed_row_says_unknown(finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])
    token = certs.certificate_token(certificate)
    Certificate.objects.filter(pk=certificate.pk).update(token_hash="0" * 64)

    assert certs.verify_certificate(token).state == certs.VerificationState.UNKNOWN


def test_revoked_certificate_verifies_as_revoked(finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])

    certs.revoke_certificate(certificate=certificate, actor=finished["staff"], reason="成绩更正")

    assert certs.verify_certificate(certificate.code).state == certs.VerificationState.REVOKED
    with pytest.raises(Conflict):
        certs.revoke_certificate(certificate=certificate, actor=finished["staff"], reason="再次")


def test_revoke_certificate_without_a_reason_is_refused(finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])

    with pytest.raises(ValidationFailed):
        certs.revoke_certificate(certificate=certificate, actor=finished["staff"], reason=" ")


def test_verify_page_says_genuine_revoked_or_unknown(client, finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])
    url = reverse("events:certificate_verify")

    genuine = client.get(url, {"t": certs.certificate_token(certificate)})
    assert genuine.status_code == 200
    assert 'data-verification="valid"' in genuine.content.decode() and "张三" in genuine.content.decode()

    certs.revoke_certificate(certificate=certificate, actor=finished["staff"], reason="成绩更正")
    assert 'data-verification="revoked"' in client.get(url, {"code": certificate.code}).content.decode()

    unknown = client.get(url, {"code": "ZS20269999999999"})
    assert unknown.status_code == 404 and 'data-verification="unknown"' in unknown.content.decode()
    assert client.get(url).status_code == 200


# --- the PDF and its download ---------------------------------------------------------------


def test_certificate_pdf_is_a4_landscape_with_chinese_font_and_qr(finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])

    pdf = certs.certificate_pdf(certificate, base_url="https://sports.example.cn/")

    assert pdf.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    width, height = float(box.group(1)), float(box.group(2))
    assert round(width) == 842 and round(height) == 595
    assert b"STSong-Light" in pdf
    assert b"/Subtype /Image" in pdf


def test_certificate_qr_link_opens_the_verification_page(client, finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])
    facts = certs.certificate_facts(certificate)
    link = certs.verify_url(certificate, base_url="https://sports.example.cn/")

    assert link.startswith("https://sports.example.cn/events/certificates/verify/?t=")
    query = parse_qs(urlparse(link).query)
    response = client.get(urlparse(link).path, {"t": query["t"][0]})

    assert response.status_code == 200 and facts.code in response.content.decode()
    assert facts.placing == zh("Place %(n)s") % {"n": 1} and facts.organiser == finished["event"].organiser.name


def test_certificate_pdf_download_by_its_participant(client, finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])
    client.force_login(finished["first"].user)

    response = client.get(reverse("events:certificate_pdf", args=[certificate.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_certificate_pdf_of_someone_else_is_404(client, finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])
    client.force_login(make_public_user(phone="13600000009"))

    assert client.get(reverse("events:certificate_pdf", args=[certificate.pk])).status_code == 404


def test_certificate_pdf_for_the_organiser_and_not_for_anonymous(client, finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])
    url = reverse("events:certificate_pdf", args=[certificate.pk])

    assert client.get(url).status_code == 302
    login_staff(client, finished["staff"])
    assert client.get(url).status_code == 200


def test_certificate_pdf_of_a_revoked_certificate_is_404(client, finished):
    certificate = certs.issue_certificate(registration=finished["first"], actor=finished["staff"])
    certs.revoke_certificate(certificate=certificate, actor=finished["staff"], reason="更正")
    client.force_login(finished["first"].user)

    assert client.get(reverse("events:certificate_pdf", args=[certificate.pk])).status_code == 404
    with pytest.raises(NotFound):
        certs.certificate_for(user=finished["first"].user, pk=certificate.pk)


def test_certificates_page_issues_to_every_confirmed_entry(client, finished):
    login_staff(client, finished["staff"])

    response = client.post(reverse("events:certificates_office", args=[finished["event"].pk]), {"action": "issue"})

    assert response.status_code == 302
    assert Certificate.objects.count() == 3
    html = client.get(reverse("events:certificates_office", args=[finished["event"].pk])).content.decode()
    assert all(c.code in html for c in Certificate.objects.all())


def test_certificates_page_has_no_n_plus_one(client, finished):
    from tests.support.queries import assert_same_query_count

    login_staff(client, finished["staff"])
    Certificate.objects.all().delete()

    def make_rows(n):
        for _ in range(n):
            certs.issue_certificate(registration=make_entry(finished["event"]), actor=finished["staff"])

    assert_same_query_count(client, reverse("events:certificates_office", args=[finished["event"].pk]), make_rows)
