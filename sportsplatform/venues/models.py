"""The venue register (场馆数据库): venues, their bookable units, opening hours, photos and
documents. Coordinates are WGS-84 (API.md); navigation links convert them (core.geo)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sportsplatform.core.models import TimeStampedModel


class VenueType(models.TextChoices):
    STADIUM = "stadium", _("stadium")
    GYMNASIUM = "gymnasium", _("gymnasium")
    NATATORIUM = "natatorium", _("natatorium")
    FITNESS_CENTRE = "fitness_centre", _("national fitness centre")
    SPORTS_PARK = "sports_park", _("sports park")
    SCHOOL = "school", _("school venue open to the public")
    GYM = "gym", _("gym / fitness studio")
    OTHER = "other", _("other venue")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("public")
    PRIVATE = "private", _("private")


class Amenity(models.TextChoices):
    PARKING = "parking", _("parking")
    SHOWERS = "showers", _("showers")
    LOCKERS = "lockers", _("lockers")
    ACCESSIBLE = "accessible", _("step-free access")
    EQUIPMENT_RENTAL = "equipment_rental", _("equipment rental")
    DRINKING_WATER = "drinking_water", _("drinking water")
    FIRST_AID = "first_aid", _("first aid")
    WIFI = "wifi", _("Wi-Fi")


class Sport(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    name_en = models.CharField(_("English name"), max_length=64)
    order = models.PositiveSmallIntegerField(pgettext_lazy("sort position", "order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("sport")
        verbose_name_plural = _("sports")

    def __str__(self):
        return self.name


class Venue(TimeStampedModel):
    name = models.CharField(_("name"), max_length=128)
    type = models.CharField(_("type"), max_length=20, choices=VenueType.choices, db_index=True)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices, db_index=True)
    operator = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("operating organisation"),
        on_delete=models.PROTECT,
        related_name="venues",
        null=True,
        blank=True,
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("county-level region"), on_delete=models.PROTECT, related_name="venues"
    )
    address = models.CharField(_("address"), max_length=255)
    lat = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    lng = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    sports = models.ManyToManyField(Sport, verbose_name=_("sports"), related_name="venues", blank=True)
    amenities = models.JSONField(_("services"), default=list, blank=True, help_text=_("Codes from Amenity."))
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=10, decimal_places=1, null=True, blank=True)
    site_area = models.DecimalField(_("site area (m²)"), max_digits=11, decimal_places=1, null=True, blank=True)
    year_built = models.PositiveSmallIntegerField(
        _("year built"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    star_rating = models.PositiveSmallIntegerField(
        _("star rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("People allowed inside at once.")
    )
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(_("published"), default=True, db_index=True)
    # Lower-cased name, address and sport names: one column to search (see queries.search_venues).
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["region_id", "name", "id"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        indexes = [
            models.Index(fields=["lat", "lng"], name="venue_lat_lng"),
            models.Index(fields=["region", "type"], name="venue_region_type"),
            # The default search order (best rated first): the first page stops after 20 rows.
            # Coalesce, not NULLS LAST: SQLite cannot index NULLS LAST; unrated (0) still sorts last.
            models.Index(
                Coalesce("star_rating", 0).desc(),
                "name",
                "id",
                condition=Q(is_published=True),
                name="venue_published_rating_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90), name="venue_lat_range"),
            models.CheckConstraint(condition=Q(lng__gte=-180, lng__lte=180), name="venue_lng_range"),
            models.CheckConstraint(
                condition=Q(star_rating__isnull=True) | Q(star_rating__gte=1, star_rating__lte=5),
                name="venue_star_rating_range",
            ),
        ]

    # Scoping (core.scoping): bureaus by county code prefix, operators by their organisation.
    scope_region_field = "region"
    scope_organisation_field = "operator_id"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def build_search_text(self, sport_names: list[str] | None = None) -> str:
        """Name, address, county and sports, lower-cased: what the search box matches. Callers
        that change the sports (M2M, saved after the row) call refresh_search_text()."""
        if sport_names is None:
            sport_names = [s.name for s in self.sports.all()] if self.pk else []
        region_name = self.region.name if self.region_id else ""
        parts = [self.name, self.address, region_name, *sport_names]
        return " ".join(p.strip().lower() for p in parts if p and p.strip())

    def refresh_search_text(self) -> None:
        text = self.build_search_text()
        if text != self.search_text:
            self.search_text = text
            Venue.objects.filter(pk=self.pk).update(search_text=text)


class CourtKind(models.TextChoices):
    COURT = "court", pgettext_lazy("bookable unit", "court")
    FIELD = "field", pgettext_lazy("bookable unit", "field")
    LANE = "lane", pgettext_lazy("bookable unit", "lane")
    ROOM = "room", pgettext_lazy("bookable unit", "room")
    TABLE = "table", pgettext_lazy("bookable unit", "table")
    AREA = "area", pgettext_lazy("bookable unit", "area")
    # Sold as tickets: many people per time (a pool or gym session); capacity is places per session.
    SESSION = "session", pgettext_lazy("bookable unit", "session")


class Court(models.Model):
    """A bookable unit of a venue: a court, field, lane, room or table."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="courts", verbose_name=_("venue"))
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=CourtKind.choices, default=CourtKind.COURT)
    sport = models.ForeignKey(Sport, on_delete=models.PROTECT, related_name="courts", verbose_name=_("sport"))
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=4, help_text=_("People per booking; for sessions, places per session.")
    )
    price_per_hour = models.DecimalField(
        _("price per hour (yuan)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Standard price; the booking rules add peak, weekend and member prices."),
    )
    is_bookable = models.BooleanField(_("bookable online"), default=True)
    order = models.PositiveSmallIntegerField(pgettext_lazy("sort position", "order"), default=0)

    class Meta:
        ordering = ["venue_id", "order", "id"]
        verbose_name = _("court")
        verbose_name_plural = _("courts")
        indexes = [
            # "Has a bookable court" (the bookable filter) without scanning every court.
            models.Index(fields=["venue"], condition=Q(is_bookable=True), name="court_bookable_venue"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="court_unique_name_per_venue"),
            models.CheckConstraint(condition=Q(price_per_hour__gte=0), name="court_price_not_negative"),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return f"{self.venue} · {self.name}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening interval in the weekly pattern; a day may have several (e.g. a lunch break).
    A day without intervals is closed."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["venue_id", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        # The open-now test looks up one venue's intervals on one weekday.
        indexes = [models.Index(fields=["venue", "weekday", "opens"], name="opening_hours_venue_day")]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="opening_hours_ordered"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="opening_hours_weekday"),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OpeningException(models.Model):
    """A dated change to the weekly pattern: a closure, or different hours (holidays, events)."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="opening_exceptions")
    date = models.DateField(_("date"))
    is_closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=128, blank=True)

    class Meta:
        ordering = ["venue_id", "date", "opens"]
        verbose_name = _("opening exception")
        verbose_name_plural = _("opening exceptions")
        indexes = [models.Index(fields=["venue", "date"], name="opening_exception_venue_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_closed=True, opens__isnull=True, closes__isnull=True)
                | Q(is_closed=False, opens__isnull=False, closes__isnull=False, closes__gt=models.F("opens")),
                name="opening_exception_consistent",
            ),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return f"{self.date} {self.reason}"


def venue_upload_path(instance, filename):
    return f"venues/{instance.venue_id}/{filename}"


class VenuePhoto(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="photos", verbose_name=_("venue"))
    image = models.ImageField(_("image"), upload_to=venue_upload_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), upload_to=venue_upload_path, blank=True, editable=False)
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    caption = models.CharField(_("caption"), max_length=128, blank=True)
    order = models.PositiveSmallIntegerField(pgettext_lazy("sort position", "order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["venue_id", "order", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return self.caption or f"{self.venue} #{self.pk}"


class DocumentKind(models.TextChoices):
    DRAWING = "drawing", _("construction drawing")
    INSPECTION = "inspection", _("inspection report")
    INDOOR_MAP = "indoor_map", _("indoor map")
    MODEL_3D = "model_3d", _("spatial / 3D model")


class VenueDocument(TimeStampedModel):
    """Drawings and inspection reports are for the operator and bureaus unless published."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="documents", verbose_name=_("venue"))
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=128)
    file = models.FileField(_("file"), upload_to=venue_upload_path)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_public = models.BooleanField(_("published to the public"), default=False)

    class Meta:
        ordering = ["venue_id", "kind", "-issued_on", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(valid_until__gte=models.F("issued_on")),
                name="venue_document_validity_ordered",
            ),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return self.title
