"""`service_up.py postgres|redis|mqtt`: exit 0 if the local service answers on its port."""

import os
import socket
import sys
from urllib.parse import urlparse

DEFAULTS = {
    "postgres": os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/test"),
    "redis": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    "mqtt": os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883"),
}

if __name__ == "__main__":
    url = urlparse(DEFAULTS[sys.argv[1]])
    try:
        socket.create_connection((url.hostname, url.port), timeout=2).close()
    except OSError:
        sys.exit(1)
