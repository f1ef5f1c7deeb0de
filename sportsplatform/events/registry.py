"""Start-up hooks of the events app, one line per part, so parts built separately do not edit
apps.py. Each `register()` must be idempotent."""

from importlib import import_module
from importlib.util import find_spec

PARTS = [
    "sportsplatform.events.permissions",  # role permissions and back-office navigation
    "sportsplatform.events.domain.handler",  # OrderKindHandler for OrderKind.EVENT
    "sportsplatform.events.receivers",  # notifications on review decisions, promotions
    "sportsplatform.events.demo",  # demo seed step
]


def ready():
    for name in PARTS:
        if find_spec(name) is not None:
            import_module(name).register()
