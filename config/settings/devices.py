"""Devices, telemetry and the data screen (imported by base.py). Values come from the environment;
see docs/telemetry.md and README, "Configuration"."""

import os
from datetime import timedelta

# Key that encrypts the devices' HMAC secrets at rest (any string; a 32-byte key is derived from
# it). Empty: derived from SECRET_KEY — then rotating SECRET_KEY means re-issuing device secrets.
TELEMETRY_SECRET_KEY = os.environ.get("TELEMETRY_SECRET_KEY", "")
# A signed request or message whose timestamp is further than this from the server's clock is
# refused (replay guard; event ids de-duplicate the rest).
TELEMETRY_SIGNATURE_MAX_SKEW_SECONDS = int(os.environ.get("TELEMETRY_SIGNATURE_MAX_SKEW_SECONDS", "300"))
# How long a process trusts what it looked up about a credential or a venue's gates. A revoked
# credential stops working in other processes (the MQTT bridge, other app servers) within this.
TELEMETRY_CREDENTIAL_CACHE_SECONDS = int(os.environ.get("TELEMETRY_CREDENTIAL_CACHE_SECONDS", "10"))

# Events older than this are refused ("too_old"); must stay below the raw retention, so a pruned
# event can never arrive again and be counted twice.
TELEMETRY_LATE_EVENT_MAX_AGE = timedelta(hours=int(os.environ.get("TELEMETRY_LATE_EVENT_MAX_HOURS", "48")))
# Events dated further in the future than this are refused ("in_future": a device clock is wrong).
TELEMETRY_FUTURE_TOLERANCE = timedelta(seconds=int(os.environ.get("TELEMETRY_FUTURE_TOLERANCE_SECONDS", "300")))
# Raw gate events are deleted after this many days (rollups are kept forever).
TELEMETRY_RAW_RETENTION_DAYS = int(os.environ.get("TELEMETRY_RAW_RETENTION_DAYS", "30"))
# Limits of one HTTP request / MQTT message.
TELEMETRY_MAX_EVENTS_PER_BATCH = int(os.environ.get("TELEMETRY_MAX_EVENTS_PER_BATCH", "5000"))
TELEMETRY_MAX_BODY_BYTES = int(os.environ.get("TELEMETRY_MAX_BODY_BYTES", str(2 * 1024 * 1024)))
TELEMETRY_MAX_COUNT_PER_EVENT = int(os.environ.get("TELEMETRY_MAX_COUNT_PER_EVENT", "1000"))

# Occupancy levels, as a share of the venue's capacity: busy from 70 %, full from 100 %.
TELEMETRY_BUSY_FROM = float(os.environ.get("TELEMETRY_BUSY_FROM", "0.7"))
TELEMETRY_FULL_FROM = float(os.environ.get("TELEMETRY_FULL_FROM", "1.0"))

# The MQTT bridge (`manage.py mqtt_bridge`): broker, topics and write batching. MQTT_URL (base.py)
# names the broker; the bridge falls back to mqtt://127.0.0.1:1883.
MQTT_TOPIC_PREFIX = os.environ.get("MQTT_TOPIC_PREFIX", "")
MQTT_CLIENT_ID = os.environ.get("MQTT_CLIENT_ID", "")
MQTT_BRIDGE_FLUSH_SECONDS = float(os.environ.get("MQTT_BRIDGE_FLUSH_SECONDS", "0.25"))
MQTT_BRIDGE_FLUSH_EVENTS = int(os.environ.get("MQTT_BRIDGE_FLUSH_EVENTS", "5000"))
MQTT_BRIDGE_QUEUE_MESSAGES = int(os.environ.get("MQTT_BRIDGE_QUEUE_MESSAGES", "50000"))
# Writer threads of the bridge (one database connection each): while one waits on the database,
# another writes the next flush.
MQTT_BRIDGE_WRITERS = int(os.environ.get("MQTT_BRIDGE_WRITERS", "2"))

# Server-sent events: how often a stream checks for changes without Redis, and how long one
# stream lasts before the browser reconnects (so a stream never pins a worker thread for long).
TELEMETRY_STREAM_POLL_SECONDS = float(os.environ.get("TELEMETRY_STREAM_POLL_SECONDS", "1.0"))
TELEMETRY_STREAM_SECONDS = float(os.environ.get("TELEMETRY_STREAM_SECONDS", "25"))

# Periodic jobs; telemetry's AppConfig.ready() merges them into CELERY_BEAT_SCHEDULE.
TELEMETRY_BEAT_SCHEDULE = {
    "telemetry-prune-raw-events": {
        "task": "sportsplatform.telemetry.tasks.prune_raw_events_task",
        "schedule": timedelta(hours=1),
    },
    "telemetry-mark-silent-devices-offline": {
        "task": "sportsplatform.telemetry.tasks.mark_silent_devices_offline_task",
        "schedule": timedelta(minutes=5),
    },
}
# A device that has not reported for this long is shown offline.
TELEMETRY_OFFLINE_AFTER = timedelta(minutes=int(os.environ.get("TELEMETRY_OFFLINE_AFTER_MINUTES", "15")))
