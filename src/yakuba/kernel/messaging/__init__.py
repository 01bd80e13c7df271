"""Delivery core: subscribers and their channel endpoints, broadcasts fanned out into one delivery per
(broadcast, endpoint), transports per channel (email, LINE, Web Push), retries, receipts."""
