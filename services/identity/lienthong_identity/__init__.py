"""Liên Thông identity building block: the platform's trust anchor.

Where things are (three hops from any RPC: ``identity.proto`` -> ``grpc_api.py`` -> ``handlers/<aggregate>.py``):

* ``domain/``: agencies (34 province codes of 2025), clients and secret hashing, personal ID numbers, citizen
  password policy and TOTP, login throttling, signing-key lifecycle, client assertions, audit records.
* ``handlers/``: one module per aggregate; each change commits with its outbox event and audit record.
* ``adapters/``: tables and repositories, the key store (keys sealed under the KEK), the in-memory revocation
  state of identity's own verifier, the HTTP JWKS and discovery routes.
* ``bootstrap.py``: ``build(settings)``, ``seed_demo`` for ``lienthong dev``; ``cli.py``: ``lienthong identity
  bootstrap`` and ``rotate-keys``.

Security choices worth knowing: identity verifies tokens with its own key store (no call to itself); client
secrets are peppered HMAC-SHA256 (256-bit random secrets, see ``domain/clients.py``), citizen passwords argon2id;
keys, TOTP secrets and personal data are AES-GCM sealed; revocation cut-offs (suspension, password change,
refresh-token reuse) compare a token's ``iat`` with the exact cut-off time.
"""
