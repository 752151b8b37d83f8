"""Settings of the gateway (environment variables ``LIENTHONG_GATEWAY_*``)."""

from pydantic import Field

from lienthong_runtime.config import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("GATEWAY")

    port: int = 50051
    http_port: int = 8051
    #: Upstream replicas per building block, e.g. {"registry": ["10.0.0.5:50062", "10.0.0.6:50062"]}
    #: (JSON in LIENTHONG_GATEWAY_UPSTREAMS).
    upstreams: dict[str, list[str]] = Field(default_factory=dict)
