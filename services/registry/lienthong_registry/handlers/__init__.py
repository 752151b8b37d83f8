"""Service layer of the registry: plain async functions taking the unit of work (``ports.RegistryUnitOfWork``) for
what is transactional, the :class:`Services` for the rest, the :class:`Caller` and plain values."""

from .context import Caller, Services

__all__ = ["Caller", "Services"]
