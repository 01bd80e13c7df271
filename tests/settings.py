"""Test settings: the project's settings with the database chosen by YAKUBA_TEST_DATABASE_URL."""

import os

import dj_database_url

from yakuba.settings import *  # noqa: F403

if os.environ.get("YAKUBA_TEST_DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["YAKUBA_TEST_DATABASE_URL"])}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:",
                             "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20}}}

# Fast hashing in tests; the production hasher (Argon2) is asserted by a test on yakuba.settings.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
YAKUBA_TESTING = True

# Uploads of the test run go to throwaway directories, one per process (xdist workers run side by side).
import tempfile  # noqa: E402

PRIVATE_FILES_ROOT = tempfile.mkdtemp(prefix="yakuba-private-")
MEDIA_ROOT = tempfile.mkdtemp(prefix="yakuba-media-")
STORAGES = {**STORAGES, "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                    "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None}}}

# Web Push: a VAPID key of the test run, never the development one in var/.
VAPID_PRIVATE_KEY_FILE = os.path.join(tempfile.mkdtemp(prefix="yakuba-vapid-"), "vapid_private.pem")
# The demo signing certificate of the test run, never the development one in var/.
SIGNING_DEMO_DIR = tempfile.mkdtemp(prefix="yakuba-signing-")

# The map never fetches tiles in tests (nothing may reach the internet): no base map.
MAP_TILE_URL = ""
# No generation endpoint unless a test points one at its local stub server; no reranker.
AI_BASE_URL = ""
AI_API_KEY = ""
AI_MODEL = ""
SEARCH_RERANKER = ""
