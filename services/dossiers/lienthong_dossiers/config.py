"""Settings of the dossiers service (environment variables ``LIENTHONG_DOSSIERS_*``).

``ENCRYPTION_KEYS`` and ``BLIND_INDEX_KEY`` (the citizen's personal ID and the form are sealed at rest, dossiers
are found by a blind index of the ID) may also come from files via ``*_FILE`` variables.
"""

from pydantic import SecretStr

from lienthong_runtime.config import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("DOSSIERS")

    port: int = 50066
    http_port: int = 8066
    database_url: str = "sqlite+aiosqlite:///./.lienthong/dossiers.db"

    #: Keyring sealing personal data at rest: ``kid:base64,kid2:base64`` (the last is active). Required unless
    #: ``dev_mode`` (which generates keys into ``data_dir``); the same holds for ``blind_index_key``.
    encryption_keys: SecretStr | None = None
    #: Key id new rows are sealed with; default: the last key listed.
    encryption_active_key: str = ""
    #: Base64 32-byte HMAC-SHA256 key of the blind index of citizens' personal IDs.
    blind_index_key: SecretStr | None = None
    #: Largest file a citizen may upload for an ATTACHMENT component (UploadDossierAttachment), in bytes.
    max_attachment_bytes: int = 20 * 1024 * 1024
    #: How often the apology sweep looks for open parts past their deadline (seconds).
    sweep_interval: float = 300.0
    #: Prefill from the registry (PrefillForm): where the registry's contract is served (normally the front door,
    #: ``host:port``) and the machine client dossiers reads with, which must hold ``registry.citizens.read`` and
    #: whose agency the operator gives a disclosure policy per purpose. Empty: PrefillForm answers
    #: FAILED_PRECONDITION PREFILL_UNAVAILABLE.
    registry_target: str = ""
    registry_client_id: str = ""
    registry_client_secret: SecretStr | None = None
