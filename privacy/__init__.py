"""Privacy rules of the warehouse, each one a function in one module.

Ingestion, the purge, the checks and dbt all apply the rules here, so each holds the same
everywhere:

- `privacy.pseudonyms`: keyed pseudonyms for user, anonymous and device ids;
- `privacy.network`: client IP addresses become a coarse network and a per-day token;
- `privacy.user_agent`: the raw User-Agent becomes browser, OS and device class;
- `privacy.text`: search queries, titles and URLs are scrubbed of contact and ID numbers,
  addresses, account ids and tokens;
- `privacy.classes`: what each stored column may hold, as SQL allow-lists;
- `privacy.days`, `privacy.retention`, `privacy.listings`, `privacy.suppression`,
  `privacy.consent`: the Almaty day, retention, listing retirement, suppression and its
  precedence, consent in force, each as a Python function and its SQL twin;
- `privacy.dbt_macros`: the same rules as dbt macros;
- `privacy.location`: device locations are snapped to a grid of about 1 km;
- `privacy.detect`: the same patterns find personal data that slipped through, for the
  guard before each day commits and the blocking checks after it.
"""
