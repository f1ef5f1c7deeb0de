from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegionLevel(models.TextChoices):
    PROVINCE = "province", pgettext_lazy("region level", "province")
    PREFECTURE = "prefecture", pgettext_lazy("region level", "prefecture")
    COUNTY = "county", pgettext_lazy("region level", "county")


# How many leading digits of a GB/T 2260 code a division of each level governs: everything
# whose code starts with those digits lies inside it (Chongqing has no prefecture layer, so its
# districts hang straight off 500000 and still share the "50" prefix).
SCOPE_PREFIX_LENGTH = {RegionLevel.PROVINCE: 2, RegionLevel.PREFECTURE: 4, RegionLevel.COUNTY: 6}


class RegionQuerySet(models.QuerySet):
    def current(self, on=None):
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day)).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day)
        )

    def within(self, code: str):
        """Divisions inside (and including) the division `code`."""
        return self.filter(code__startswith=scope_prefix(code))


class Region(models.Model):
    """An administrative division (GB/T 2260). The code is the primary key, so records that
    point at a region keep the code in force when they were made, even after it is abolished."""

    code = models.CharField(pgettext_lazy("region", "code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(
        pgettext_lazy("region", "level"), max_length=16, choices=RegionLevel.choices, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=pgettext_lazy("region", "parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    valid_from = models.DateField(pgettext_lazy("region", "valid from"), null=True, blank=True)
    valid_to = models.DateField(
        pgettext_lazy("region", "valid to"), null=True, blank=True, help_text=_("Day the division ceased to exist.")
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=pgettext_lazy("region", "successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[1-9][0-9]{5}$"), name="region_code_six_digits"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="region_validity_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def scope_prefix(self) -> str:
        return self.code[: SCOPE_PREFIX_LENGTH[self.level]]

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


def scope_prefix(code: str) -> str:
    """Prefix of all codes inside the division `code`, judged from the code itself."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00") and code[:2] not in MUNICIPALITIES:
        return code[:4]
    return code


# Province-level municipalities have no prefecture layer: 500100/500200 are summary codes.
MUNICIPALITIES = {"11", "12", "31", "50"}
