"""Settings of the notify service (environment variables ``LIENTHONG_NOTIFY_*``)."""

from pydantic import BaseModel, SecretStr

from lienthong_runtime.config import ServiceSettings, service_config


class SmsProviderSettings(BaseModel):
    """One HTTP SMS provider (see adapters/sms.py for the wire format)."""

    name: str
    url: str
    api_key: SecretStr = SecretStr("")
    #: Secret the provider signs its delivery receipts with.
    receipt_secret: SecretStr = SecretStr("")
    #: Share of traffic sent to this provider first.
    weight: int = 1
    #: Seconds after which a send counts as slow and the next provider is tried.
    timeout_s: float = 3.0


class Settings(ServiceSettings):
    model_config = service_config("NOTIFY")

    port: int = 50064
    http_port: int = 8064
    database_url: str = "sqlite+aiosqlite:///./.lienthong/notify.db"

    # E-mail (SMTP)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    #: Implicit TLS (port 465) instead of STARTTLS.
    smtp_tls: bool = False
    smtp_timeout_s: float = 10.0
    #: CA bundle that signs the SMTP server's certificate (TLS/STARTTLS), when not a public CA.
    smtp_ca_file: str = ""
    #: Concurrent SMTP connections of one worker (each kept open and reused).
    smtp_connections: int = 8
    #: Use notify's own SMTP client, which pipelines when the server offers it; false = aiosmtplib.
    smtp_pipelining: bool = True
    mail_from: str = "Lien Thong <no-reply@lienthong.local>"
    #: Right-hand side of the Message-ID derived from the notification id.
    message_id_domain: str = "notify.lienthong.local"
    #: When set, notify runs an SMTP server on smtp_host:smtp_port that writes each message as .eml here.
    mail_sink_dir: str = ""

    # SMS: empty means the sandbox provider (embedded default).
    #: An SMS handed to a provider without a receipt after this long becomes TEMPORARY_FAILURE (NO_RECEIPT).
    sms_receipt_timeout_s: float = 72 * 3600.0
    sms_providers: list[SmsProviderSettings] = []

    # Delivery worker
    worker_enabled: bool = True
    worker_batch_size: int = 200
    #: Claim loops of one worker, so one batch is sent while the next is claimed.
    worker_loops: int = 2
    worker_idle_s: float = 0.2
    #: A claimed message whose worker died is claimed again after this many seconds.
    worker_lease_s: float = 60.0
    retry_base_s: float = 1.0
    retry_max_s: float = 300.0
    #: After this many seconds since acceptance an undeliverable message is final (technical failure).
    give_up_s: float = 24 * 3600.0

    # Limits
    rate_limit_per_s: float = 50.0
    rate_limit_burst: float = 1000.0
    daily_cap_email: int = 100_000
    daily_cap_sms: int = 20_000

    # Citizen contacts (from identity's CitizenContactChanged), protected at rest
    #: AES-256-GCM keyring for the contacts: ``kid:base64key[,kid:base64key...]`` (32-byte keys); old keys stay
    #: listed while rows sealed with them remain. Required outside dev mode (dev mode generates keys into
    #: ``data_dir``); the same holds for ``blind_index_key``.
    encryption_keys: SecretStr | None = None
    #: Key id new contacts are sealed with; default: the last key listed.
    encryption_active_key: str = ""
    #: Base64 32-byte HMAC-SHA256 key of the personal-ID blind index the contacts are found by. Changing it
    #: orphans every stored contact, so it is not rotated with the encryption keys.
    blind_index_key: SecretStr | None = None

    # Callbacks
    callback_timeout_s: float = 5.0
    callback_max_attempts: int = 10
    callback_retry_base_s: float = 2.0
    #: Development only: allow http://localhost callback URLs.
    callback_allow_http_localhost: bool = False
    #: Receivers on a private network that callbacks may reach (test and on-premise receivers): host names, IP
    #: addresses or CIDR networks. Every other loopback, private, link-local or metadata address is refused, when
    #: the URL is set and again when connecting (JSON list in LIENTHONG_NOTIFY_CALLBACK_ALLOWED_HOSTS).
    callback_allowed_hosts: list[str] = []
