from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sportsplatform.accounts"
    label = "accounts"
