"""Settings of the notify service (environment variables ``LIENTHONG_NOTIFY_*``)."""

from lienthong_runtime.config import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("NOTIFY")

    port: int = 50064
    http_port: int = 8064
    database_url: str = "sqlite+aiosqlite:///./.lienthong/notify.db"
