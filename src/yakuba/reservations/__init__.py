"""施設予約・来庁予約・講座申込: bookings on the kernel scheduling core."""
