"""Gapless numbers per town and series (受付番号, 文書番号, 収受番号): taken in the caller's transaction.

    number = take(municipality, "approvals.soumu", period=2026)   # inside transaction.atomic()

The counter row is created once (a unique constraint settles a race between two first numbers) and then advanced by
one UPDATE that holds its row lock until the caller's transaction ends, so two takers queue on the row, every number is
used once and a rolled-back transaction gives its number back: no gap, no duplicate.
"""
