"""manage.py mqtt_broker_files: a Mosquitto password file and ACL file from the devices' MQTT
credentials, for a broker that authenticates devices itself (the bridge checks signatures either
way). Each active `mqtt_password` credential becomes a user named by its key id, allowed to
publish only to its own venue's gate topics; the bridge's own account (--bridge-user) may read
them all. Reload the broker afterwards (SIGHUP)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from sportsplatform.telemetry.models import CredentialKind, DeviceCredential, DeviceStatus
from sportsplatform.telemetry.mqtt import topic_filter


class Command(BaseCommand):
    help = "Write Mosquitto password_file and acl_file entries for the devices' MQTT passwords."

    def add_arguments(self, parser):
        parser.add_argument("--password-file", required=True, help="Where to write the password file.")
        parser.add_argument("--acl-file", required=True, help="Where to write the ACL file.")
        parser.add_argument(
            "--bridge-user",
            default="",
            help="A broker user (already in your password file) that may read every gate topic.",
        )

    def handle(self, *args, **options):
        prefix = settings.MQTT_TOPIC_PREFIX
        credentials = (
            DeviceCredential.objects.filter(kind=CredentialKind.MQTT_PASSWORD, revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
            .exclude(device__status=DeviceStatus.DISABLED)
            .exclude(secret_hash="")
            .select_related("device")
            .order_by("key_id")
        )
        passwords, acl = [], []
        if options["bridge_user"]:
            acl += [f"user {options['bridge_user']}", f"topic read {topic_filter(prefix)}", ""]
        for credential in credentials:
            device = credential.device
            passwords.append(f"{credential.key_id}:{credential.secret_hash}")
            acl += [f"user {credential.key_id}", f"topic write {prefix}venues/{device.venue_id}/gates/+/events", ""]
        for path, lines in ((options["password_file"], passwords), (options["acl_file"], acl)):
            target = Path(path)
            target.write_text("\n".join(lines) + "\n", encoding="utf-8")
            target.chmod(0o600)
        self.stdout.write(
            f"{len(passwords)} device users written to {options['password_file']} and {options['acl_file']}"
        )
