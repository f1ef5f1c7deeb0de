from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelemetryConfig(AppConfig):
    name = "sportsplatform.telemetry"
    label = "telemetry"
    verbose_name = _("Devices and crowd flow")

    def ready(self):
        from django.conf import settings

        from sportsplatform.backoffice.demo import register_seed_step

        from . import permissions
        from .demo import seed_telemetry

        permissions.register()
        register_seed_step(60, seed_telemetry, name="telemetry")
        # Periodic jobs live next to the other device settings; Celery beat reads the merged dict.
        for name, entry in getattr(settings, "TELEMETRY_BEAT_SCHEDULE", {}).items():
            settings.CELERY_BEAT_SCHEDULE.setdefault(name, entry)
