"""The recommender library: plain Python, no Dagster; the export and the service build on it.

- `recommender.interactions`: read and check `(user_id, item_id, weight, ts)` interactions;
- `recommender.matrix`: interactions -> a users x items CSR matrix and its id maps;
- `recommender.split`: the time-based hold-out (train before the last days, test in them);
- `recommender.metrics`: textbook precision, recall, NDCG, MAP at k and catalog coverage;
- `recommender.models`: popularity, item-item, ALS and BPR behind one small interface;
- `recommender.tuning`: a seeded random search over a grid within a wall-clock budget;
- `recommender.evaluate`: every model tuned and scored on the hold-out, the best picked.
"""
