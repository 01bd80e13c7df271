"""Tenancy (共同利用): municipalities, host/prefix resolution and the scope every query runs in."""
