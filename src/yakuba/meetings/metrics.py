"""Figures of 会議・議事録 the DX plans measure (pages not printed, hours transcribed, days to published minutes)."""
