"""Settings of the registry service (environment variables ``LIENTHONG_REGISTRY_*``)."""

from lienthong_runtime.config import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("REGISTRY")

    port: int = 50062
    http_port: int = 8062
    database_url: str = "sqlite+aiosqlite:///./.lienthong/registry.db"
