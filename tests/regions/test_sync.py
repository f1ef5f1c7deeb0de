"""Loading divisions: migration 0002 has loaded the bundled file into the test database; the
domain function and the command upsert idempotently and never delete."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.utils import translation

from sportsplatform.core.errors import ValidationFailed
from sportsplatform.regions.domain.sync import sync_regions
from sportsplatform.regions.models import Region, RegionLevel

pytestmark = pytest.mark.django_db


def _by_code(data, code):
    return next(d for d in data["divisions"] if d["code"] == code)


def test_migration_loaded_every_division_of_the_file(divisions_file):
    codes = {d["code"] for d in divisions_file["divisions"]}

    loaded = set(Region.objects.values_list("code", flat=True))

    assert codes <= loaded
    assert Region.objects.filter(parent_id="510000", level=RegionLevel.PREFECTURE).count() == 21
    assert Region.objects.filter(code__startswith="51", level=RegionLevel.COUNTY).current().count() == 183
    assert Region.objects.filter(parent_id="500000", level=RegionLevel.COUNTY).current().count() == 37


def test_migration_loaded_chongqing_history():
    jiangbei = Region.objects.get(code="500105")

    assert jiangbei.valid_to == date(2025, 11, 6)
    assert jiangbei.successor_id == "500157"
    assert Region.objects.get(code="500112").successor_id == "500157"
    assert Region.objects.get(code="500157").valid_from == date(2025, 11, 6)


def test_sync_regions_second_run_changes_nothing(divisions_file):
    sync_regions()

    counts = sync_regions()

    assert (counts.created, counts.updated) == (0, 0)
    assert counts.unchanged == len(divisions_file["divisions"])


def test_sync_regions_unchanged_run_writes_no_audit_entry():
    before = LogEntry.objects.count()

    sync_regions()

    assert LogEntry.objects.count() == before


def test_sync_regions_changed_name_updates_that_row_and_audits(division_data, django_user_model):
    _by_code(division_data, "510104")["name"] = "锦江区（测试）"
    actor = django_user_model.objects.create(username="data-admin")

    counts = sync_regions(data=division_data, actor=actor)

    assert (counts.created, counts.updated) == (0, 1)
    assert counts.changed_codes == ("510104",)
    assert Region.objects.get(code="510104").name == "锦江区（测试）"
    entry = LogEntry.objects.latest("timestamp")
    assert entry.actor == actor
    assert entry.additional_data["action"] == "regions.divisions.synced"
    assert entry.additional_data["codes"] == ["510104"]


def test_sync_regions_restores_a_changed_centre():
    Region.objects.filter(code="510100").update(lat=Decimal("1.000000"))

    counts = sync_regions()

    assert counts.updated == 1
    assert Region.objects.get(code="510100").lat == Decimal("30.575347")


def test_sync_regions_never_deletes_a_region_missing_from_the_data(division_data):
    division_data["divisions"] = [d for d in division_data["divisions"] if d["code"] != "510104"]

    counts = sync_regions(data=division_data)

    assert Region.objects.filter(code="510104").exists()
    assert counts.unchanged == len(division_data["divisions"])


def test_sync_regions_creates_children_after_parents_and_successors_last(division_data):
    # A new prefecture listed after its county, and an abolished county whose successor comes later.
    division_data["divisions"] += [
        {"code": "519901", "name": "测试县", "level": "county", "parent": "519900", "lat": 30.1, "lng": 104.1,
         "valid_from": None, "valid_to": "2030-01-01", "successor": "519902"},
        {"code": "519900", "name": "测试市", "level": "prefecture", "parent": "510000", "lat": 30.0, "lng": 104.0,
         "valid_from": None, "valid_to": None, "successor": None},
        {"code": "519902", "name": "新测试县", "level": "county", "parent": "519900", "lat": None, "lng": None,
         "valid_from": "2030-01-01", "valid_to": None, "successor": None},
    ]  # fmt: skip

    counts = sync_regions(data=division_data)

    assert counts.created == 3
    assert counts.updated == 0
    old = Region.objects.get(code="519901")
    assert (old.parent_id, old.successor_id, old.lat) == ("519900", "519902", Decimal("30.100000"))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"code": "51010"}, "not a six-digit"),
        ({"parent": "519999"}, "unknown parent 519999"),
        ({"successor": "519998"}, "unknown successor 519998"),
        ({"level": "town"}, "level must be"),
        ({"valid_from": "2030-01-01", "valid_to": "2020-01-01"}, "valid_to must be after"),
        ({"lat": "north"}, "not a coordinate"),
    ],
)
def test_sync_regions_invalid_data_is_rejected_and_writes_nothing(division_data, change, problem):
    _by_code(division_data, "510104").update(change)
    _by_code(division_data, "510105")["name"] = "不应写入"

    with pytest.raises(ValidationFailed) as excinfo:
        sync_regions(data=division_data)

    assert any(problem in message for message in excinfo.value.fields["divisions"])
    assert Region.objects.get(code="510105").name != "不应写入"


def test_sync_regions_command_prints_the_counts():
    out = StringIO()

    with translation.override("en"):
        call_command("sync_regions", stdout=out)

    assert "0 created, 0 updated" in out.getvalue()
