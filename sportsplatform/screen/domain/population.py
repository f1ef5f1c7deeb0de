"""Population per prefecture (7th national census, 2020): the denominator of the screen's sports
area per person. Read once per process from data/population_2020.json, which names its source."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "population_2020.json"


@cache
def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def population_by_code() -> dict[str, int]:
    """Permanent residents by GB/T 2260 code: the province and its 21 prefecture-level divisions."""
    data = _data()
    return {**data["total"], **data["prefectures"]}


def population_source() -> str:
    return _data()["source"]
