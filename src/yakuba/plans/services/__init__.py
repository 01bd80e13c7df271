"""Verbs of the plans app: recording progress, live KPIs, the departments' to-do."""
