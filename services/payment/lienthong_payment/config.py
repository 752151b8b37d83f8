"""Settings of the payment service (environment variables ``LIENTHONG_PAYMENT_*``)."""

from lienthong_runtime.config import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("PAYMENT")

    port: int = 50063
    http_port: int = 8063
    database_url: str = "sqlite+aiosqlite:///./.lienthong/payment.db"
