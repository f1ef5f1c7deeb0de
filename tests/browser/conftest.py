"""Browser journeys: the fixtures live in tests/support/browser.py, a plugin loaded by
tests/conftest.py so other test directories can use them too; see there."""
