import pytest

from sportsplatform.venues.models import Sport
from tests.support.accounts import ensure_regions, make_public_user

SPORTS = [("badminton", "羽毛球", "Badminton"), ("swimming", "游泳", "Swimming")]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush the tables after each test, the regions and sports the data
    migrations loaded included: put back the few the factories use."""
    if "transactional_db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("transactional_db")
        ensure_regions()
        for order, (code, name, name_en) in enumerate(SPORTS):
            Sport.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order})


@pytest.fixture
def make_users():
    """make_users(n) → n distinct public users."""

    def make(n: int, *, first: int = 0):
        return [make_public_user(phone=f"1390000{first + i:04d}") for i in range(n)]

    return make
