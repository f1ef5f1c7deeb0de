"""Helpers shared by the test suites: query budgets (queries.py) and account fixtures
(accounts.py). Plain functions and fixtures, no mocks of our own code."""
