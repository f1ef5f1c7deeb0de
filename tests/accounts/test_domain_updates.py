import pytest

from sportsplatform.accounts.domain.users import (
    create_organisation,
    create_user,
    grant_membership,
    update_organisation,
    update_user,
)
from sportsplatform.accounts.models import Organisation, OrganisationKind
from sportsplatform.core.errors import Conflict, ValidationFailed
from sportsplatform.regions.models import Region

pytestmark = pytest.mark.django_db


def test_update_organisation_refuses_moving_it_out_of_the_actors_region():
    wuhou = Region.objects.get(code="510107")
    bureau = create_organisation(name="武侯区体育局", kind=OrganisationKind.BUREAU, region=wuhou)
    official = create_user(username="wuhou", password="Str0ng!pass")
    grant_membership(user=official, organisation=bureau)
    operator = create_organisation(name="武侯区体育中心", kind=OrganisationKind.OPERATOR, region=wuhou)

    operator.region = Region.objects.get(code="510104")
    with pytest.raises(ValidationFailed):
        update_organisation(organisation=operator, actor=official)

    assert Organisation.objects.get(pk=operator.pk).region_id == "510107"


def test_update_organisation_saves_edits_in_scope():
    wuhou = Region.objects.get(code="510107")
    operator = create_organisation(name="武侯区体育中心", kind=OrganisationKind.OPERATOR, region=wuhou)
    operator.contact_name = "张伟"
    update_organisation(organisation=operator, actor=None)
    assert Organisation.objects.get(pk=operator.pk).contact_name == "张伟"


def test_update_user_normalises_phone_and_refuses_a_taken_one():
    create_user(username="a", phone="13800001111")
    b = create_user(username="b", phone="13800002222")

    b.phone = "+86 138-0000-3333"
    update_user(user=b)
    b.refresh_from_db()
    assert b.phone == "13800003333"

    b.phone = "13800001111"
    with pytest.raises(Conflict):
        update_user(user=b)


def test_update_user_refuses_a_malformed_phone():
    user = create_user(username="c", phone="13800004444")
    user.phone = "12345"
    with pytest.raises(ValidationFailed):
        update_user(user=user)
