"""Settings of the registry service (environment variables ``LIENTHONG_REGISTRY_*``)."""

from pydantic import SecretStr

from lienthong_runtime.config import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("REGISTRY")

    port: int = 50062
    http_port: int = 8062
    database_url: str = "sqlite+aiosqlite:///./.lienthong/registry.db"
    #: AES-256-GCM keyring for records at rest: ``kid:base64key[,kid:base64key...]`` (32-byte keys). Old keys
    #: stay listed after a rotation so older rows still decrypt. Required unless ``dev_mode`` (which generates
    #: keys into ``data_dir``); the same holds for ``blind_index_key``.
    encryption_keys: SecretStr | None = None
    #: Key id new rows are sealed with; default: the last key listed.
    encryption_active_key: str = ""
    #: Base64 32-byte HMAC-SHA256 key of the blind indexes (personal ID, name + date of birth, household).
    #: Changing it requires re-indexing every row, so it is not rotated with the encryption keys.
    blind_index_key: SecretStr | None = None
    #: Largest number of access-log entries appended in one transaction (group commit).
    access_log_batch: int = 512
    #: Seconds the access-log writer waits to fill a batch when calls queued up during its last write (under
    #: load only; an idle writer writes at once). Fewer, fuller commits: less CPU per call and lower p99.
    access_log_linger_seconds: float = 0.001
    #: Connections of the by-ID read pool (reads hold one only for their query). Per process the registry opens
    #: at most this + 15 (other reads) + 25 (writes) + 1 (access-log writer) (+ 2 with standbys):
    #: ``bootstrap.database_connections``; ``python -m tools.capacity.budget`` adds up a deployment.
    db_pool_size: int = 32
    #: Seconds a disclosure policy stays cached per process (0: read it on every call). A change made through
    #: this process applies at once; one made through another replica within this many seconds.
    policy_cache_seconds: float = 2.0
    #: Hot standbys (comma-separated PostgreSQL URLs) that serve purpose-bound reads, verifications and searches;
    #: writes, the access log and disclosure policies stay on ``database_url``. Empty: every read on the primary.
    read_replica_urls: str = ""
    #: A standby serves reads only while it has replayed the primary's WAL of this many seconds ago: the most
    #: another caller's read can lag behind a commit (the writer itself always reads its own write).
    replica_max_lag_seconds: float = 5.0
    #: How often each standby's replay position (and the primary's WAL position) is sampled.
    replica_check_seconds: float = 0.5
