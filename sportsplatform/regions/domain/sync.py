"""Loading the GB/T 2260 divisions into Region.

The data is `regions/data/divisions.json`, built by scripts/build_regions.py. One loader,
`load_divisions`, serves both migration 0002 (with the migration's historical model) and
`sync_regions` (the domain function behind `manage.py sync_regions`, which adds an audit entry).
It upserts, and it never deletes: a division that disappears from the data keeps its row, because
venues, organisations and reports made while it existed still point at its code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import ValidationFailed

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "divisions.json"

# The fields the loader writes. All exist since migration 0001; a field added to this tuple later is
# written only where the model has it, so 0002 keeps working with its historical model.
SYNCED_FIELDS = ("name", "level", "parent", "lat", "lng", "valid_from", "valid_to", "successor")
LEVELS = ("province", "prefecture", "county")
CODE_RE = re.compile(r"^[1-9][0-9]{5}$")
_MICRODEGREE = Decimal("0.000001")


@dataclass(frozen=True)
class SyncCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_codes: tuple[str, ...] = field(default=(), repr=False)


def read_divisions(path: Path = DATA_FILE) -> dict:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


@transaction.atomic
def sync_regions(*, data: dict | None = None, actor=None) -> SyncCounts:
    """Bring Region in line with `data` (default: the bundled divisions.json)."""
    from ..models import Region

    if data is None:
        data = read_divisions()
    counts = load_divisions(region_model=Region, data=data)
    # A run that changed nothing is not worth an audit row (the command may run on every deploy).
    if counts.created or counts.updated:
        audit.record(
            action="regions.divisions.synced",
            actor=actor,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            codes=list(counts.changed_codes),
            sources=data.get("sources", {}),
        )
    return counts


def load_divisions(*, region_model, data: dict) -> SyncCounts:
    """Upsert every division of `data` into `region_model` (the real Region or a migration's).
    Parents are written before children; successors, which may point at a division later in the
    list (500105 → 500157), once every row exists. Regions missing from `data` are left alone."""
    rows = _parse(data)
    fields = [name for name in SYNCED_FIELDS if _has_field(region_model, name)]
    existing = region_model.objects.in_bulk([row["code"] for row in rows])
    _check_references(region_model, rows)

    status: dict[str, str] = {}
    for row in _parents_first(rows):
        values = {name: row[name] for name in fields if name != "successor"}
        region = existing.get(row["code"])
        if region is None:
            region = region_model(code=row["code"], **_to_attnames(values))
            region.save(force_insert=True)
            existing[row["code"]] = region
            status[row["code"]] = "created"
            continue
        changed = [name for name, value in values.items() if getattr(region, _attname(name)) != value]
        if changed:
            for name in changed:
                setattr(region, _attname(name), values[name])
            region.save(update_fields=changed)
        status[row["code"]] = "updated" if changed else "unchanged"

    if "successor" in fields:
        for row in rows:
            region = existing[row["code"]]
            if region.successor_id != row["successor"]:
                region.successor_id = row["successor"]
                region.save(update_fields=["successor"])
                if status[row["code"]] == "unchanged":
                    status[row["code"]] = "updated"

    values = list(status.values())
    return SyncCounts(
        created=values.count("created"),
        updated=values.count("updated"),
        unchanged=values.count("unchanged"),
        changed_codes=tuple(sorted(code for code, s in status.items() if s != "unchanged")),
    )


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def _attname(name: str) -> str:
    return f"{name}_id" if name in ("parent", "successor") else name


def _to_attnames(values: dict) -> dict:
    return {_attname(name): value for name, value in values.items()}


def _parse(data: dict) -> list[dict]:
    """Validate the data file's divisions and normalise them to model values (codes for the
    foreign keys). Raises ValidationFailed listing every problem."""
    divisions = data.get("divisions") if isinstance(data, dict) else None
    if not isinstance(divisions, list):
        raise ValidationFailed(_("The division data has no list of divisions."), fields={"divisions": ["required"]})
    rows, problems, seen = [], [], set()
    for index, item in enumerate(divisions):
        try:
            row = _parse_one(item)
        except ValueError as exc:
            problems.append(f"#{index}: {exc}")
            continue
        if row["code"] in seen:
            problems.append(f"#{index}: duplicate code {row['code']}")
        seen.add(row["code"])
        rows.append(row)
    if problems:
        raise ValidationFailed(_("The division data is not valid."), fields={"divisions": problems})
    return rows


def _parse_one(item) -> dict:
    if not isinstance(item, dict):
        raise ValueError("not an object")
    code = _code(item.get("code"), "code")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 64:
        raise ValueError(f"{code}: name must be 1 to 64 characters")
    if item.get("level") not in LEVELS:
        raise ValueError(f"{code}: level must be one of {', '.join(LEVELS)}")
    row = {
        "code": code,
        "name": name.strip(),
        "level": item["level"],
        "parent": _code(item.get("parent"), "parent", optional=True),
        "lat": _degrees(item.get("lat"), 90, code),
        "lng": _degrees(item.get("lng"), 180, code),
        "valid_from": _date(item.get("valid_from"), code),
        "valid_to": _date(item.get("valid_to"), code),
        "successor": _code(item.get("successor"), "successor", optional=True),
    }
    if row["valid_from"] and row["valid_to"] and row["valid_to"] <= row["valid_from"]:
        raise ValueError(f"{code}: valid_to must be after valid_from")
    if code in (row["parent"], row["successor"]):
        raise ValueError(f"{code}: a division cannot be its own parent or successor")
    return row


def _code(value, what: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not CODE_RE.match(value):
        raise ValueError(f"{what} {value!r} is not a six-digit GB/T 2260 code")
    return value


def _degrees(value, limit: int, code: str) -> Decimal | None:
    if value is None:
        return None
    try:
        degrees = Decimal(str(value)).quantize(_MICRODEGREE)
    except InvalidOperation:
        raise ValueError(f"{code}: {value!r} is not a coordinate") from None
    if not -limit <= degrees <= limit:
        raise ValueError(f"{code}: coordinate {value} out of range")
    return degrees


def _date(value, code: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{code}: {value!r} is not a YYYY-MM-DD date") from None


def _check_references(region_model, rows: list[dict]) -> None:
    """Parents and successors must be in the data or already in the database."""
    in_data = {row["code"] for row in rows}
    referenced = {row[key] for row in rows for key in ("parent", "successor") if row[key]} - in_data
    known = set(region_model.objects.filter(code__in=referenced).values_list("code", flat=True))
    problems = [
        f"{row['code']}: unknown {key} {row[key]}"
        for row in rows
        for key in ("parent", "successor")
        if row[key] and row[key] not in in_data and row[key] not in known
    ]
    if problems:
        raise ValidationFailed(_("The division data is not valid."), fields={"divisions": problems})


def _parents_first(rows: list[dict]) -> list[dict]:
    by_code = {row["code"]: row for row in rows}
    depth: dict[str, int] = {}

    def depth_of(code: str, trail: tuple[str, ...] = ()) -> int:
        if code in depth:
            return depth[code]
        if code in trail:
            raise ValidationFailed(
                _("The division data is not valid."), fields={"divisions": [f"{code}: parent cycle"]}
            )
        parent = by_code[code]["parent"]
        depth[code] = 0 if parent not in by_code else depth_of(parent, (*trail, code)) + 1
        return depth[code]

    return sorted(rows, key=lambda row: (depth_of(row["code"]), row["code"]))
