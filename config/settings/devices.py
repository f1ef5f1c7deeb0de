"""Devices, telemetry and the data screen (imported by base.py)."""
