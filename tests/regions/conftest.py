import pytest

from sportsplatform.regions.domain.sync import read_divisions

# Rough bounding boxes (lat, lng) of the two provinces, for sanity checks on centres.
SICHUAN_BOX = ((26.0, 34.5), (97.0, 108.6))
CHONGQING_BOX = ((28.1, 32.3), (105.2, 110.2))


@pytest.fixture(scope="session")
def divisions_file():
    return read_divisions()


@pytest.fixture
def division_data(divisions_file):
    """A deep-enough copy of the bundled data that a test may change."""
    return {**divisions_file, "divisions": [dict(d) for d in divisions_file["divisions"]]}
