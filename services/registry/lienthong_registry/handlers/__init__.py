"""Service layer of the registry: plain async functions taking a :class:`Registry` and a :class:`Caller`."""

from .context import Caller, Registry

__all__ = ["Caller", "Registry"]
