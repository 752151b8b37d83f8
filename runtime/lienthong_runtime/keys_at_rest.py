"""The keys a service seals personal data with, loaded one way for every service.

A service that stores personal data declares in its settings ``encryption_keys`` (a JSON object of key id to
base64url key, or ``..._FILE``), ``encryption_active_key`` and, when it looks rows up by a personal value,
``blind_index_key``. Production refuses to start without them (:class:`lienthong_runtime.crypto.MissingKey`);
dev mode generates them once into the data folder (files of mode 0600) under the names given here, which stay
what each service has always used so an existing dev data folder still opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from .config import ServiceSettings, data_folder, secret_value
from .crypto import BlindIndex, Keyring, load_key, load_keyring

__all__ = ["KeysAtRest", "load_keys_at_rest"]


@dataclass(frozen=True)
class KeysAtRest:
    keyring: Keyring
    #: None when the service was not asked for one (``index_file=None``).
    index: BlindIndex | None


def _prefix(settings: ServiceSettings) -> str:
    return str(type(settings).model_config.get("env_prefix", "LIENTHONG_"))


def load_keys_at_rest(
    settings: ServiceSettings, *, keyring_file: str, index_file: str | None = None
) -> KeysAtRest:
    """The keyring (and blind index when ``index_file`` is given) from the service's settings."""
    prefix = _prefix(settings)
    folder = data_folder(settings)
    configured: SecretStr | None = getattr(settings, "encryption_keys", None)
    keyring = load_keyring(
        secret_value(configured),
        setting=f"{prefix}ENCRYPTION_KEYS",
        dev_mode=settings.dev_mode,
        data_dir=folder,
        dev_name=keyring_file,
        active=getattr(settings, "encryption_active_key", "") or None,
    )
    if index_file is None:
        return KeysAtRest(keyring, None)
    index_key = load_key(
        secret_value(getattr(settings, "blind_index_key", None)),
        setting=f"{prefix}BLIND_INDEX_KEY",
        dev_mode=settings.dev_mode,
        data_dir=folder,
        dev_name=index_file,
    )
    return KeysAtRest(keyring, BlindIndex(index_key))
