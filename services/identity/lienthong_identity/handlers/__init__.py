"""Service layer: plain async functions taking the :class:`Context`, a :class:`Caller` and plain values."""
