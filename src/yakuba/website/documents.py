"""The assistant reads every published page, section by section (filled in by the public pages work)."""
