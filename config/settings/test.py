"""pytest: fast hashing, no throttle surprises, eager tasks. DATABASE_URL picks the engine."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, REST_FRAMEWORK, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
SMS_BACKEND = "console"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "10000/min", "user": "10000/min"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not the in-memory default: WAL and busy-timeout queuing (what production SQLite
    # relies on) only exist for file databases. The pid keeps concurrent pytest runs on one
    # machine apart; pytest-xdist also suffixes the name per worker; Django deletes it at the end.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

# seed_demo in tests: a small world, no generated photos, uploads kept out of var/media.
DEMO_SEED_SCALE = 0.03
DEMO_SEED_PHOTOS = False
MEDIA_ROOT = VAR_DIR / f"test-media-{os.getpid()}"
