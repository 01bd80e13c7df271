"""The shared kernel: tenancy, accounts, audit, UI and operations. Nothing here knows any single app."""
