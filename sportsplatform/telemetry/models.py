"""Devices at the venues and the crowd flow they report.

A Device belongs to one venue and authenticates with its own DeviceCredential. Gate events are
kept raw for a while (GateEvent, pruned after TELEMETRY_RAW_RETENTION_DAYS) and rolled up as they
arrive into TrafficRollup rows (5 minutes, hour, day — kept forever) and the venue's
VenueOccupancy for the current local day. Writes go through telemetry.domain only."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    GATE = "gate", _("gate / turnstile")
    FACE_GATE = "face_gate", _("face-recognition gate")
    COUNTER = "counter", _("people counter")
    ENERGY_METER = "energy_meter", _("energy meter")
    WATER_METER = "water_meter", _("water meter")
    LIGHT = "light", _("lights")
    OTHER = "other", _("other equipment")


# Kinds whose events count people going in and out.
GATE_KINDS = frozenset({DeviceKind.GATE, DeviceKind.FACE_GATE, DeviceKind.COUNTER})


class DeviceStatus(models.TextChoices):
    ONLINE = "online", _("online")
    OFFLINE = "offline", _("offline")
    DISABLED = "disabled", _("disabled")


class Device(models.Model):
    venue = models.ForeignKey("venues.Venue", verbose_name=_("venue"), on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(_("kind"), max_length=20, choices=DeviceKind.choices, default=DeviceKind.GATE)
    code = models.CharField(
        _("code"), max_length=32, help_text=_("Unique within the venue, e.g. G1; used in MQTT topics.")
    )
    name = models.CharField(_("name"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.OFFLINE, db_index=True
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["venue_id", "code"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(fields=["venue", "code"], name="device_code_per_venue"),
            models.CheckConstraint(condition=~Q(code=""), name="device_code_not_empty"),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return f"{self.venue} · {self.code}" if self.venue_id else self.code

    @property
    def counts_people(self) -> bool:
        return self.kind in GATE_KINDS


class CredentialKind(models.TextChoices):
    HMAC = "hmac", _("HMAC secret (HTTP and MQTT)")
    MQTT_PASSWORD = "mqtt_password", _("MQTT username and password")
    MQTT_CERT = "mqtt_cert", _("MQTT client certificate")


class DeviceCredential(models.Model):
    """One credential of a device. Rotation adds a new one and leaves the old one valid until it is
    revoked (or expires), so a device can be re-provisioned without a gap.

    HMAC verification needs the secret itself, so it is stored encrypted (telemetry.domain.secrets,
    key from TELEMETRY_SECRET_KEY or SECRET_KEY), never in plain text; it is shown once at creation.
    An MQTT password is only ever compared, so it is stored hashed, in Mosquitto's password-file
    format (`manage.py mqtt_broker_files`). A client certificate is identified by its SHA-256
    fingerprint."""

    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(_("kind"), max_length=16, choices=CredentialKind.choices, default=CredentialKind.HMAC)
    key_id = models.CharField(
        _("key id"), max_length=40, unique=True, help_text=_("Public identifier sent by the device.")
    )
    secret_encrypted = models.TextField(_("encrypted secret"), blank=True, default="", editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=256, blank=True, default="", editable=False)
    cert_fingerprint = models.CharField(_("certificate fingerprint (SHA-256)"), max_length=95, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["device_id", "-created_at", "-id"]
        verbose_name = _("device credential")
        verbose_name_plural = _("device credentials")
        indexes = [models.Index(fields=["device", "revoked_at"], name="credential_device_active")]

    scope_region_field = "device__venue__region"
    scope_organisation_field = "device__venue__operator_id"

    def __str__(self):
        return self.key_id


class Direction(models.TextChoices):
    IN = "in", _("in")
    OUT = "out", _("out")


class GateEvent(models.Model):
    """One reading of a gate: `count` people passed in `direction` at `at`. Raw, pruned after
    TELEMETRY_RAW_RETENTION_DAYS; events older than TELEMETRY_LATE_EVENT_MAX_AGE are refused, so a
    pruned event can never be counted twice."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.CharField(_("event id"), max_length=64)
    # No separate indexes on the two foreign keys: the unique (device, event_id) and the
    # (venue, at) indexes start with them, and every index costs time on every insert.
    device = models.ForeignKey(
        Device, verbose_name=_("gate"), on_delete=models.CASCADE, related_name="events", db_index=False
    )
    venue = models.ForeignKey(
        "venues.Venue", verbose_name=_("venue"), on_delete=models.CASCADE, related_name="gate_events", db_index=False
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    count = models.PositiveIntegerField(_("count"), default=1)
    at = models.DateTimeField(_("event time"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("gate event")
        verbose_name_plural = _("gate events")
        constraints = [
            models.UniqueConstraint(fields=["device", "event_id"], name="gate_event_unique_per_device"),
            models.CheckConstraint(condition=Q(count__gte=1), name="gate_event_count_positive"),
            models.CheckConstraint(condition=Q(direction__in=["in", "out"]), name="gate_event_direction"),
        ]
        indexes = [
            # Also what pruning deletes by, venue by venue: an index on `at` alone would cost
            # every insert for the sake of an hourly job.
            models.Index(fields=["venue", "at"], name="gate_event_venue_at"),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return f"{self.device_id} {self.direction} {self.count} @ {self.at:%Y-%m-%d %H:%M:%S}"


class OccupancyLevel(models.TextChoices):
    COMFORTABLE = "comfortable", _("comfortable")
    BUSY = "busy", _("busy")
    FULL = "full", _("full")


class VenueOccupancy(models.Model):
    """People inside a venue now: entries − exits of the local day `day`, never below zero.
    A row whose `day` is not today reads as empty (the daily reset needs no job)."""

    venue = models.OneToOneField(
        "venues.Venue",
        verbose_name=_("venue"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="occupancy",
    )
    day = models.DateField(_("day"))
    today_in = models.PositiveIntegerField(_("entries today"), default=0)
    today_out = models.PositiveIntegerField(_("exits today"), default=0)
    current = models.PositiveIntegerField(_("people inside"), default=0)
    updated_at = models.DateTimeField(_("updated at"), db_index=True)
    # Set when the operator was told the venue is over capacity; cleared when it calms down
    # again (below the busy level) or the day changes, so each crossing alerts once.
    alerted_at = models.DateTimeField(_("over-capacity alert sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("venue occupancy")
        verbose_name_plural = _("venue occupancy")
        constraints = [
            models.CheckConstraint(condition=Q(current__gte=0), name="occupancy_current_not_negative"),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return f"{self.venue_id}: {self.current}"


class Granularity(models.TextChoices):
    FIVE_MINUTES = "5m", _("5 minutes")
    HOUR = "1h", _("hour")
    DAY = "1d", _("day")


class TrafficRollup(models.Model):
    """Entries and exits of a venue per bucket. `bucket_start` is aligned to local time (a day
    bucket starts at local midnight). `peak_occupancy` is the highest people-inside reading at the
    5-minute boundaries of the bucket, computed from the day's totals so arrival order never
    changes it."""

    id = models.BigAutoField(primary_key=True)
    # The unique (venue, granularity, bucket_start) index serves lookups by venue.
    venue = models.ForeignKey(
        "venues.Venue",
        verbose_name=_("venue"),
        on_delete=models.CASCADE,
        related_name="traffic_rollups",
        db_index=False,
    )
    granularity = models.CharField(_("granularity"), max_length=2, choices=Granularity.choices)
    bucket_start = models.DateTimeField(_("bucket start"))
    entries = models.PositiveIntegerField(_("entries"), default=0)
    exits = models.PositiveIntegerField(_("exits"), default=0)
    peak_occupancy = models.PositiveIntegerField(_("peak occupancy"), default=0)

    class Meta:
        ordering = ["venue_id", "granularity", "bucket_start"]
        verbose_name = _("traffic rollup")
        verbose_name_plural = _("traffic rollups")
        constraints = [
            models.UniqueConstraint(fields=["venue", "granularity", "bucket_start"], name="rollup_unique_bucket"),
        ]
        indexes = [models.Index(fields=["granularity", "bucket_start"], name="rollup_granularity_bucket")]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return f"{self.venue_id} {self.granularity} {self.bucket_start:%Y-%m-%d %H:%M}"


class RejectionChannel(models.TextChoices):
    HTTP = "http", _("HTTP")
    MQTT = "mqtt", _("MQTT")


class RejectionCount(models.Model):
    """Rejected telemetry per day, channel, reason and claimed key id (blank when unknown): every
    refused message or event adds to one of these counters and writes a log line."""

    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=4, choices=RejectionChannel.choices)
    reason = models.CharField(_("reason"), max_length=32)
    key_id = models.CharField(_("key id"), max_length=40, blank=True, default="")
    venue = models.ForeignKey(
        "venues.Venue",
        verbose_name=_("venue"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="telemetry_rejections",
    )
    count = models.PositiveIntegerField(_("count"), default=0)
    last_at = models.DateTimeField(_("last rejected at"))
    last_detail = models.CharField(_("last detail"), max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-day", "-last_at"]
        verbose_name = _("rejected telemetry")
        verbose_name_plural = _("rejected telemetry")
        constraints = [
            models.UniqueConstraint(fields=["day", "channel", "reason", "key_id"], name="rejection_counter_unique"),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return f"{self.day} {self.channel} {self.reason}: {self.count}"
