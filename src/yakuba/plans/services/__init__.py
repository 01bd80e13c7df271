"""Verbs of the plans app: saving and importing plans, recording progress, live KPIs, council reports, the
departments' to-do."""
