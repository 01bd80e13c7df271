"""Accounts: residents (住民), staff (職員) with departments (課・係) and roles, OIDC and TOTP login."""
