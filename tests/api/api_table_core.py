"""The API walk's table for api-core's endpoints (see tests/api/api_tables.py)."""

PATH_OBJECTS = {"referral_id": "referral"}
