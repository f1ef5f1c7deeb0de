import pytest

from sportsplatform.regions.models import Region, RegionLevel


@pytest.fixture
def no_regions(db):
    """An empty regions table (the data migration loads the real divisions into the test DB)."""
    Region.objects.update(parent=None, successor=None)
    Region.objects.all().delete()


@pytest.fixture
def some_regions(no_regions):
    """Sichuan with three prefectures (one abolished), a county, and Chongqing."""
    sichuan = Region.objects.create(code="510000", name="四川省", level=RegionLevel.PROVINCE)
    Region.objects.create(code="510100", name="成都市", level=RegionLevel.PREFECTURE, parent=sichuan)
    Region.objects.create(code="513400", name="凉山彝族自治州", level=RegionLevel.PREFECTURE, parent=sichuan)
    Region.objects.create(code="510104", name="锦江区", level=RegionLevel.COUNTY, parent_id="510100")
    Region.objects.create(
        code="512100",
        name="已撤销市",
        level=RegionLevel.PREFECTURE,
        parent=sichuan,
        valid_to="2000-01-01",
    )
    Region.objects.create(code="500000", name="重庆市", level=RegionLevel.PROVINCE)
