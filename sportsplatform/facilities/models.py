"""Fitness facilities (健身设施): sports parks, national fitness centres, fitness trails (lines)
and fitness paths (outdoor equipment sites), with their equipment inventory. WGS-84."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sportsplatform.core.models import TimeStampedModel


class FacilityKind(models.TextChoices):
    SPORTS_PARK = "sports_park", _("sports park")
    FITNESS_CENTRE = "fitness_centre", _("national fitness centre")
    TRAIL = "trail", _("fitness trail")
    FITNESS_PATH = "fitness_path", _("fitness path (outdoor equipment)")


class TrailKind(models.TextChoices):
    HIKING = "hiking", _("hiking trail")
    WALKING = "walking", _("walking trail")
    CYCLING = "cycling", _("cycling path")


class Facility(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=16, choices=FacilityKind.choices, db_index=True)
    trail_kind = models.CharField(_("trail kind"), max_length=10, choices=TrailKind.choices, blank=True)
    name = models.CharField(_("name"), max_length=128)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("county-level region"), on_delete=models.PROTECT, related_name="facilities"
    )
    managing_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("managing organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilities",
    )
    managing_body = models.CharField(
        _("managing body"), max_length=128, blank=True, help_text=_("As published, when not an organisation here.")
    )
    address = models.CharField(_("address"), max_length=255)
    # A point for every facility (a trail's is its start), so lists, distances and the map treat all alike.
    lat = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lng = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    # Trails only: the line as [[lng, lat], ...] (GeoJSON order); length_m is computed from it.
    path = models.JSONField(_("route"), null=True, blank=True)
    length_m = models.PositiveIntegerField(_("length (m)"), null=True, blank=True, editable=False)
    area = models.DecimalField(
        _("area (m²)"),
        max_digits=11,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    year_built = models.PositiveSmallIntegerField(
        _("year built"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=128, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(_("published"), default=True, db_index=True)
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["region_id", "kind", "name", "id"]
        verbose_name = _("fitness facility")
        verbose_name_plural = _("fitness facilities")
        indexes = [
            models.Index(fields=["lat", "lng"], name="facility_lat_lng"),
            models.Index(fields=["region", "kind"], name="facility_region_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90), name="facility_lat_range"),
            models.CheckConstraint(condition=Q(lng__gte=-180, lng__lte=180), name="facility_lng_range"),
            models.CheckConstraint(
                condition=Q(kind="trail") | Q(trail_kind=""), name="facility_trail_kind_only_for_trails"
            ),
        ]

    scope_region_field = "region"
    scope_organisation_field = "managing_organisation_id"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from sportsplatform.core.geo import line_length_m

        region_name = self.region.name if self.region_id else ""
        parts = [self.name, self.address, region_name, self.managing_body]
        self.search_text = " ".join(p.strip().lower() for p in parts if p and p.strip())
        # The trail's length always follows its line; nobody types it in.
        self.length_m = line_length_m(self.path) if self.path and len(self.path) > 1 else None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", "length_m"}
        super().save(*args, **kwargs)


class EquipmentCondition(models.TextChoices):
    GOOD = "good", _("good")
    WORN = "worn", _("worn")
    BROKEN = "broken", _("broken, out of use")
    REMOVED = "removed", _("removed")


class Equipment(models.Model):
    """One line of a facility's equipment inventory (e.g. 12 × 太空漫步机)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="equipment")
    kind = models.CharField(_("equipment"), max_length=64)
    count = models.PositiveIntegerField(_("count"), default=1, validators=[MinValueValidator(1)])
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    condition = models.CharField(
        _("condition"), max_length=10, choices=EquipmentCondition.choices, default=EquipmentCondition.GOOD
    )
    last_inspected_on = models.DateField(_("last inspected on"), null=True, blank=True)

    class Meta:
        ordering = ["facility_id", "kind", "id"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")
        constraints = [models.CheckConstraint(condition=Q(count__gte=1), name="equipment_count_positive")]

    scope_region_field = "facility__region"
    scope_organisation_field = "facility__managing_organisation_id"

    def __str__(self):
        return f"{self.kind} × {self.count}"
