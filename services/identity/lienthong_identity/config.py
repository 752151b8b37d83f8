"""Settings of the identity service (environment variables ``LIENTHONG_IDENTITY_*``).

Secrets (``KEY_ENCRYPTION_KEY``, ``CLIENT_SECRET_PEPPER``) may also come from files via ``*_FILE`` variables.
"""

from pydantic import SecretStr

from lienthong_runtime.config import ServiceSettings, service_config


class Settings(ServiceSettings):
    """Identity settings; token lifetimes in seconds."""

    model_config = service_config("IDENTITY")

    port: int = 50061
    http_port: int = 8061
    database_url: str = "sqlite+aiosqlite:///./.lienthong/identity.db"

    #: 32 random bytes, base64url: encrypts signing keys and citizens' personal data at rest (AES-256-GCM).
    #: Required unless ``dev_mode`` (which generates one into ``data_dir``).
    key_encryption_key: SecretStr | None = None
    #: Server-side key of the client-secret HMAC; derived from the KEK (HKDF) when unset.
    client_secret_pepper: SecretStr | None = None

    #: Algorithm of newly generated signing keys: "ES256" (P-256, the default in every mode: the HAProxy front
    #: door verifies it natively, HAProxy 2.6 has no EdDSA) or "EdDSA" (Ed25519, for deployments without the
    #: engine). Existing keys keep theirs, so a change takes effect at the next rotations.
    signing_algorithm: str = "ES256"
    access_token_ttl: int = 900
    refresh_token_ttl: int = 30 * 24 * 3600
    #: Clock skew allowed by verifiers; a retired key stays published for ``access_token_ttl`` plus this.
    clock_skew: int = 60
    #: Automatic signing-key rotation: rotate when the current key is older than this (0 = only by command).
    key_rotation_interval: int = 30 * 24 * 3600
    #: How often the rotation schedule and the revocation reload run.
    housekeeping_interval: float = 5.0
    #: Cache-Control max-age of the HTTP JWKS.
    jwks_max_age: int = 300
    #: Use the verified-claims cache of the token verifier (switched off only to measure its worth).
    verifier_cache: bool = True
    #: Login throttling: failures allowed before delays start, and the delay caps (seconds).
    login_free_failures: int = 3
    login_account_delay_cap: float = 30.0
    login_source_delay_cap: float = 300.0
    #: argon2id cost for citizen passwords (RFC 9106 low-memory profile by default: 64 MiB, 3 passes).
    argon2_memory_kib: int = 65536
    argon2_time_cost: int = 3
    #: RFC 7523 client assertions: how far ahead ``exp`` may be (seconds). The used ``jti`` is kept until then.
    client_assertion_max_lifetime: int = 3600
    #: The OAuth HTTP endpoints' budget per caller address (calls per second, burst); the gateway's budget for
    #: anonymous gRPC calls such as IssueToken has the same defaults. 0 switches it off (benchmarks).
    oauth_http_rate: float = 20.0
    oauth_http_burst: float = 40.0
