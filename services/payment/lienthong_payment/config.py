"""Settings of the payment service (environment variables ``LIENTHONG_PAYMENT_*``)."""

from pydantic import SecretStr

from lienthong_runtime.config import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("PAYMENT")

    port: int = 50063
    http_port: int = 8063
    database_url: str = "sqlite+aiosqlite:///./.lienthong/payment.db"
    #: PostgreSQL connections per process, at most (no overflow: more callers wait for a free one): a fifth (at
    #: least 2) for the SQLAlchemy engine (the outbox relay), the rest for the asyncpg pool every call runs on.
    database_pool_size: int = 30

    #: AES-256-GCM keyring sealing the payer's e-mail at rest: ``kid:base64key[,kid:base64key...]`` (32-byte
    #: keys; old keys stay listed after a rotation). Required unless ``dev_mode`` (which generates one into
    #: ``data_dir``).
    encryption_keys: SecretStr | None = None
    #: Key id new rows are sealed with; default: the last key listed.
    encryption_active_key: str = ""

    #: Largest payment accepted, in đồng.
    max_amount_vnd: int = 1_000_000_000
    #: Unfinished payments expire this long after creation.
    payment_lifetime_minutes: float = 90.0
    #: How often the expiry job looks for payments whose time is up.
    expiry_interval_seconds: float = 30.0
    #: Provider used when a request leaves it unspecified: ``sandbox`` or ``vnpay``.
    default_provider: str = "sandbox"
    #: Accept ``http://localhost`` return URLs (development only; production requires https). ``dev_mode``
    #: accepts them without this.
    allow_http_localhost_return_url: bool = False
    #: Base URL at which payers' browsers reach this service's HTTP side server (sandbox page, VNPay return);
    #: empty means ``http://<http_host>:<http_port>``.
    public_http_url: str = ""

    def public_url(self) -> str:
        return (self.public_http_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

    #: The simulated provider, whose test scenarios complete payments without money moving. Unset means on in
    #: dev mode only, so a production deployment that forgets this setting cannot be paid through the sandbox.
    sandbox_enabled: bool | None = None

    def sandbox_on(self) -> bool:
        return self.dev_mode if self.sandbox_enabled is None else self.sandbox_enabled

    #: Key the sandbox signs its notifications with; a random one per process when unset.
    sandbox_secret: SecretStr | None = None
    #: Delay before the sandbox notifies itself after StartPayment.
    sandbox_notify_delay_seconds: float = 0.2

    #: How often the resolver looks for payments whose provider notification never arrived.
    resolve_interval_seconds: float = 5.0
    #: Ask the provider (VNPay's querydr, the sandbox's scenario) about a payment STARTED or SUBMITTED longer
    #: than this. VNPay's payment page lives 15 minutes; the payer may still be paying before that.
    resolve_after_seconds: float = 900.0
    #: The sandbox re-sends an unacknowledged notification of a payment unfinished this long after its start.
    sandbox_redeliver_after_seconds: float = 2.0

    #: VNPay merchant (terminal) code and hash secret; VNPay is offered only when both are set.
    vnpay_tmn_code: str = ""
    vnpay_hash_secret: SecretStr | None = None
    vnpay_pay_url: str = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    #: VNPay's merchant web API, where the transaction query (querydr) is sent; empty disables the query.
    vnpay_api_url: str = "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
    #: How long VNPay's payment page stays valid (vnp_ExpireDate), capped by the payment's own expiry.
    vnpay_redirect_minutes: float = 15.0
