"""The landing zone: the website's delivery contract as code, and a generator of sample zones.

`landing.contract` is what ingestion reads against; `landing.generate` writes a realistic,
deterministic zone that follows the contract (rates in `landing.profile`).
"""
