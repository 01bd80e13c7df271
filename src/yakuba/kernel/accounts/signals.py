"""Signals of accounts, for the kernel parts that act on what a resident proves."""

from django.dispatch import Signal

# Sent (inside the transaction) when a user opens their address's confirmation link: sender=User, user=...,
# municipality= the town that mailed the link.
email_confirmed = Signal()
