"""Verbs of 会議・議事録: every write of the app goes through these modules."""
