"""会議 on the staff top page."""
