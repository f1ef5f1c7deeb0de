from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "sportsplatform.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self):
        from . import registry

        registry.ready()
