"""Settings of the documents service (environment variables ``LIENTHONG_DOCUMENTS_*``).

``ATTACHMENT_KEYS`` (the keyring sealing attachment content) may also come from a file via
``LIENTHONG_DOCUMENTS_ATTACHMENT_KEYS_FILE``.
"""

from pydantic import SecretStr

from lienthong_runtime.config import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("DOCUMENTS")

    port: int = 50065
    http_port: int = 8065
    database_url: str = "sqlite+aiosqlite:///./.lienthong/documents.db"

    #: Keyring of attachment content at rest: ``kid:base64url,kid2:base64url`` (the last is active). Required
    #: unless ``dev_mode`` (which generates one into ``data_dir``).
    attachment_keys: SecretStr | None = None
    #: PEM or DER files of the trust anchors (root CAs) signed PDFs must chain to, comma-separated. Empty: no
    #: signature can be VALID (every signed PDF is reported INVALID, "not trusted").
    trust_roots: str = ""
    #: Largest attachment accepted, in bytes.
    max_attachment_bytes: int = 100 * 1024 * 1024
    #: Largest edXML package ImportEdxml accepts, in bytes (it is spooled to a temporary file to be parsed).
    max_edxml_bytes: int = 150 * 1024 * 1024
    #: Attachments uploaded but never sent are deleted after this many seconds.
    unsent_attachment_ttl: int = 24 * 3600
    #: How often a subscription looks for new inbox events written by another replica (seconds).
    subscription_poll_interval: float = 1.0
    #: How long RegisterAgency waits for identity's AgencyCreated of an agency it does not know yet (seconds),
    #: so that an operator may register an agency right after creating it; then FAILED_PRECONDITION AGENCY_UNKNOWN.
    agency_event_wait: float = 5.0
