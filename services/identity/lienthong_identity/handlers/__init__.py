"""Service layer: plain async functions taking the abstract unit of work (``ports.IdentityUnitOfWork``), the
:class:`Context` of collaborators, a :class:`Caller` and plain values."""
