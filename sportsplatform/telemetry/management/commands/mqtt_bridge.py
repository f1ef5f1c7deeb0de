"""manage.py mqtt_bridge: the long-running MQTT → database bridge (telemetry.mqtt)."""

import signal

from django.core.management.base import BaseCommand

from sportsplatform.telemetry.mqtt import MqttBridge


class Command(BaseCommand):
    help = "Subscribe to venues/+/gates/+/events and store the devices' signed gate events (runs until stopped)."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="Broker, e.g. mqtt://user:pass@127.0.0.1:1883 (default: MQTT_URL).")
        parser.add_argument("--client-id", help="MQTT client id (default: MQTT_CLIENT_ID or one per host).")
        parser.add_argument("--flush-seconds", type=float, help="Longest wait before writing a batch.")
        parser.add_argument("--flush-events", type=int, help="Write as soon as about this many events are queued.")
        parser.add_argument("--writers", type=int, help="Writer threads, one database connection each (default 2).")

    def handle(self, *args, **options):
        bridge = MqttBridge(
            url=options["url"],
            client_id=options["client_id"],
            flush_seconds=options["flush_seconds"],
            flush_events=options["flush_events"],
            writers=options["writers"],
        )

        def stop(signum, frame):
            bridge.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"mqtt bridge: {bridge.address.host}:{bridge.address.port}, Ctrl-C to stop")
        stats = bridge.run()
        bridge.report()
        self.stdout.write(
            f"mqtt bridge stopped: {stats.messages} messages, {stats.accepted} events accepted, "
            f"{stats.duplicates} duplicates, {stats.rejected_messages + stats.rejected_events} rejected"
        )
