"""Payment domain: entities and rules. Imports neither grpc nor SQLAlchemy.

* :mod:`.payment`: the Payment aggregate, its request rules and forward-only lifecycle;
* :mod:`.lifecycle`: start, cancel, expire; :mod:`.notifications`: what a provider's verdict changes;
* :mod:`.refund`: refunds that never exceed what was paid; :mod:`.ledger`: double-entry postings and invariants;
* :mod:`.reconciliation`: the daily report; :mod:`.providers`: the provider adapter interface.
"""
