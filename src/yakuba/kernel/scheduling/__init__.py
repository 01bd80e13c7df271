"""Resources and bookings that cannot overlap (or overfill), enforced by the database; calendar rules."""
