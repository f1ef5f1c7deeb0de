from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sportsplatform.accounts"
    label = "accounts"

    def ready(self):
        from .authentication import connect_signals

        connect_signals()  # cached bearer tokens are dropped when a token or its user changes
