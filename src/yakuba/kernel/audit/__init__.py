"""Audit: an append-only record of who saw or changed what, in which town."""
