"""Start-up hooks of the training app, one line per part (see events.registry)."""

from importlib import import_module
from importlib.util import find_spec

PARTS = [
    "sportsplatform.training.permissions",
    "sportsplatform.training.domain.handler",  # OrderKindHandler for OrderKind.COURSE
    "sportsplatform.training.receivers",
    "sportsplatform.training.demo",
]


def ready():
    for name in PARTS:
        if find_spec(name) is not None:
            import_module(name).register()
