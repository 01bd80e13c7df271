"""Uploads checked by content, private storage outside the web root, and PDF rendering."""
