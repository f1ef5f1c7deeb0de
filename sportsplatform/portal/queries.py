"""Reads for the public portal pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from sportsplatform.regions.models import Region

SICHUAN = "510000"
CHONGQING = "500000"

# Romanised names for the English UI. The regions table holds the official Chinese names only;
# these are the names the divisions use for themselves in English (GB/T 2260 codes).
ENGLISH_NAMES = {
    "500000": "Chongqing",
    "510100": "Chengdu",
    "510300": "Zigong",
    "510400": "Panzhihua",
    "510500": "Luzhou",
    "510600": "Deyang",
    "510700": "Mianyang",
    "510800": "Guangyuan",
    "510900": "Suining",
    "511000": "Neijiang",
    "511100": "Leshan",
    "511300": "Nanchong",
    "511400": "Meishan",
    "511500": "Yibin",
    "511600": "Guang'an",
    "511700": "Dazhou",
    "511800": "Ya'an",
    "511900": "Bazhong",
    "512000": "Ziyang",
    "513200": "Ngawa (Aba)",
    "513300": "Garzê (Ganzi)",
    "513400": "Liangshan",
}


@dataclass(frozen=True)
class CoveredRegion:
    code: str
    name: str
    english_name: str


@dataclass(frozen=True)
class CoveredRegions:
    sichuan: list[CoveredRegion]
    chongqing: CoveredRegion | None

    def __bool__(self) -> bool:
        return bool(self.sichuan) or self.chongqing is not None


def covered_regions() -> CoveredRegions:
    """Sichuan's prefecture-level divisions in force today, in code order, and Chongqing.
    One query; empty while the regions table has not been loaded."""
    rows = (
        Region.objects.current()
        .filter(Q(parent_id=SICHUAN) | Q(code=CHONGQING))
        .order_by("code")
        .values_list("code", "name")
    )
    sichuan, chongqing = [], None
    for code, name in rows:
        region = CoveredRegion(code=code, name=name, english_name=ENGLISH_NAMES.get(code, name))
        if code == CHONGQING:
            chongqing = region
        else:
            sichuan.append(region)
    return CoveredRegions(sichuan=sichuan, chongqing=chongqing)
