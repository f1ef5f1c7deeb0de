"""Browser journeys: the fixtures live in tests/support/browser.py (a plugin, so other test
directories can use them too); see there."""

from tests.support.browser import *  # noqa: F403
