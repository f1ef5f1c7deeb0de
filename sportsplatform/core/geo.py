"""Coordinates. The platform stores WGS-84; AMap, Tencent Maps and WeChat use GCJ-02 and Baidu
uses BD-09 (shared/DOMAIN.md), converted with the maintained `coordtransform` package."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from urllib.parse import quote

import coordTransform

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class LatLng:
    lat: float
    lng: float


def wgs84_to_gcj02(lat: float, lng: float) -> LatLng:
    g_lng, g_lat = coordTransform.wgs84_to_gcj02(float(lng), float(lat))
    return LatLng(g_lat, g_lng)


def wgs84_to_bd09(lat: float, lng: float) -> LatLng:
    b_lng, b_lat = coordTransform.wgs84_to_bd09(float(lng), float(lat))
    return LatLng(b_lat, b_lng)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def line_length_m(coordinates: list[list[float]]) -> int:
    """Length of a GeoJSON LineString ([[lng, lat], ...]) in metres."""
    total = 0.0
    for (lng1, lat1), (lng2, lat2) in itertools.pairwise(coordinates):
        total += haversine_m(lat1, lng1, lat2, lng2)
    return round(total)


def bbox_around(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lng, max_lat, max_lng) enclosing a circle: a cheap indexed pre-filter before
    exact distances."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlng = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(float(lat))), 1e-6)))
    return lat - dlat, lng - dlng, lat + dlat, lng + dlng


@dataclass(frozen=True)
class NavigationLinks:
    amap: str
    baidu: str
    tencent: str
    gcj02: LatLng


def navigation_links(
    *, lat: float, lng: float, name: str, app: str = "sportsplatform", tencent_key: str = ""
) -> NavigationLinks:
    """Deep links that open each map app's route planner to the place (formats: DOMAIN.md).
    Each app gets the coordinate system it expects; note the axis orders differ."""
    gcj = wgs84_to_gcj02(lat, lng)
    q_name = quote(name, safe="")
    amap = (
        f"https://uri.amap.com/navigation?to={gcj.lng:.6f},{gcj.lat:.6f},{q_name}"
        f"&mode=car&src={quote(app)}&callnative=1"
    )
    # Baidu accepts GCJ-02 when told so (coord_type), which avoids a second lossy conversion.
    baidu = (
        f"https://api.map.baidu.com/direction?destination=latlng:{gcj.lat:.6f},{gcj.lng:.6f}|name:{q_name}"
        f"&coord_type=gcj02&mode=driving&output=html&src={quote(app)}"
    )
    tencent = (
        f"https://apis.map.qq.com/uri/v1/routeplan?type=drive&to={q_name}"
        f"&tocoord={gcj.lat:.6f},{gcj.lng:.6f}&referer={quote(tencent_key or app)}"
    )
    return NavigationLinks(amap=amap, baidu=baidu, tencent=tencent, gcj02=gcj)
