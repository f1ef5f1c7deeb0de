"""Checks shared by the venue and facility writes: may this actor file a record under this region
and organisation, is the region a county in force, does the point lie in it. Each check adds
messages to a `Problems` map (field name → messages) so a form or an import can show all of them
at once; the write functions raise ValidationFailed with the map when it is not empty."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core.errors import NotFound, ValidationFailed
from sportsplatform.core.scoping import editable_by, regions_for, scope_for, visible_to

from .location import county_at, place_point
from .memo import remember


class Problems(dict):
    """field name → list of messages; "__all__" for the record as a whole."""

    def add(self, field: str, message: str) -> None:
        messages = self.setdefault(field, [])
        if message not in messages:
            messages.append(str(message))

    def add_validation_error(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add(field, message)

    def raise_if_any(self) -> None:
        if self:
            first = next(iter(self.values()))[0]
            raise ValidationFailed(first, fields=dict(self))


def is_system(actor) -> bool:
    """Seed steps and data migrations act without a person: they are not scope-checked."""
    return actor is None


def require_stored_in_scope(actor, instance: models.Model) -> None:
    """The stored row (not the edited instance) must be one the actor may change. Out of scope
    answers like missing, as the back office does for ids guessed into a URL."""
    if is_system(actor) or instance.pk is None:
        return
    model = type(instance)
    if not editable_by(actor, model._default_manager.filter(pk=instance.pk)).exists():
        raise NotFound()


def stored_values(instance: models.Model, *fields: str) -> dict:
    if instance.pk is None:
        return {}
    return type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first() or {}


def related_or_none(instance: models.Model, name: str):
    """The related object behind a foreign key, or None when unset or pointing at nothing."""
    field = instance._meta.get_field(name)
    if getattr(instance, field.attname) is None:
        return None
    try:
        return getattr(instance, name)
    except field.related_model.DoesNotExist:
        return None


def _allowed_regions(actor) -> set[str]:
    return remember(("regions_for", actor.pk), lambda: set(regions_for(actor).values_list("pk", flat=True)))


def check_region(actor, region, problems: Problems, *, field: str = "region", changed: bool = True) -> None:
    """A county-level division in force (when newly chosen) that the actor may file records in."""
    from sportsplatform.regions.models import RegionLevel

    if region is None:
        problems.add(field, _("Choose the county-level region."))
        return
    if region.level != RegionLevel.COUNTY:
        problems.add(
            field,
            _("%(region)s is not a county-level division: choose the county, district or county-level city.")
            % {"region": region},
        )
    if changed and region.valid_to is not None and region.valid_to <= timezone.localdate():
        if region.successor_id:
            message = _("%(region)s was abolished on %(date)s; it is now %(successor)s.") % {
                "region": region,
                "date": region.valid_to,
                "successor": region.successor,
            }
        else:
            message = _("%(region)s was abolished on %(date)s.") % {"region": region, "date": region.valid_to}
        problems.add(field, message)
    if (
        changed
        and not is_system(actor)
        and not scope_for(actor).everything
        and region.pk
        not in remember(("regions_for", actor.pk), lambda: set(regions_for(actor).values_list("pk", flat=True)))
    ):
        problems.add(field, _("You may not file records in %(region)s.") % {"region": region})


def check_organisation(actor, organisation, problems: Problems, *, field: str, kinds: tuple[str, ...]) -> None:
    """An active organisation of one of `kinds` that the actor can see. Staff of an organisation
    (no region of their own) must name one of their own organisations."""
    scope = scope_for(actor) if not is_system(actor) else None
    if organisation is None:
        if scope is not None and not scope.everything and not scope.region_prefixes:
            problems.add(field, _("Choose your organisation."))
        return
    if organisation.kind not in kinds or not organisation.is_active:
        problems.add(field, _("%(organisation)s cannot run this.") % {"organisation": organisation.name})
        return
    if scope is None or scope.everything:
        return
    if not scope.region_prefixes:
        if organisation.pk not in scope.organisation_ids:
            problems.add(field, _("You may only file records for your own organisation."))
        return
    from sportsplatform.accounts.models import Organisation

    visible = remember(
        ("organisation_visible", actor.pk, organisation.pk),
        lambda: visible_to(actor, Organisation.objects.filter(pk=organisation.pk)).exists(),
    )
    if not visible:
        problems.add(field, _("%(organisation)s is not in your region.") % {"organisation": organisation.name})


def check_in_scope(actor, *, region_code: str | None, organisation_id: int | None, problems: Problems, field: str):
    """The record as it would be saved must lie in the actor's scope (the rule core.scoping applies
    in SQL), so nobody files a record they could not see afterwards."""
    if is_system(actor):
        return
    scope = scope_for(actor)
    if scope.allows_region(region_code) or scope.allows_organisation(organisation_id):
        return
    problems.add(field, _("This lies outside the region or organisation you are responsible for."))


def as_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def check_point(lat, lng, region, problems: Problems, *, field: str = "lat") -> None:
    """The WGS-84 point lies in the region (location.place_point)."""
    lat_d, lng_d = as_decimal(lat), as_decimal(lng)
    if lat_d is None or lng_d is None:
        problems.add(field, _("Latitude and longitude must be numbers."))
        return
    if not (-90 <= lat_d <= 90 and -180 <= lng_d <= 180):
        problems.add(field, _("Latitude must lie between -90 and 90 and longitude between -180 and 180."))
        return
    if region is None:
        return
    if place_point(float(lat_d), float(lng_d), region.code).inside:
        return
    found = county_at(float(lat_d), float(lng_d))
    if found:
        from sportsplatform.regions.models import Region

        found_region = Region.objects.filter(pk=found).first()
        problems.add(
            field,
            _(
                "The point %(lat)s, %(lng)s lies in %(found)s, not in %(region)s (WGS-84; swapped latitude and "
                "longitude, or GCJ-02 map coordinates?)."
            )
            % {"lat": lat_d, "lng": lng_d, "found": found_region or found, "region": region},
        )
    else:
        problems.add(
            field,
            _("The point %(lat)s, %(lng)s lies outside %(region)s (WGS-84; swapped latitude and longitude?).")
            % {"lat": lat_d, "lng": lng_d, "region": region},
        )


def check_model_fields(instance: models.Model, problems: Problems, *, exclude: tuple[str, ...] = ()) -> None:
    """The model's own field rules (lengths, choices, ranges, decimal places)."""
    try:
        instance.clean_fields(exclude=list(exclude))
    except ValidationError as exc:
        problems.add_validation_error(exc)
