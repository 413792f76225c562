"""Privacy rules of the warehouse, each one a function in one module.

The ingestion step applies the pure functions here to the distinct values of a
batch before anything reaches DuckDB:

- `privacy.pseudonyms`: keyed pseudonyms for user, anonymous and device ids;
- `privacy.network`: client IP addresses become a coarse network and a per-day token;
- `privacy.user_agent`: the raw User-Agent becomes browser, OS and device class;
- `privacy.text`: search queries and URLs are scrubbed of contact and ID numbers;
- `privacy.location`: device locations are snapped to a grid of about 1 km;
- `privacy.detect`: the same patterns find personal data that slipped through,
  for the blocking data-quality checks after ingestion.

Consent, retention and erasure rules sit beside these in their own modules.
"""
