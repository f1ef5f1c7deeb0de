"""Writes on the fitness-facility register (same rules as venues.domain)."""
