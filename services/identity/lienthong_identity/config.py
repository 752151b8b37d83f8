"""Settings of the identity service (environment variables ``LIENTHONG_IDENTITY_*``)."""

from lienthong_runtime.config import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("IDENTITY")

    port: int = 50061
    http_port: int = 8061
    database_url: str = "sqlite+aiosqlite:///./.lienthong/identity.db"
