"""Service layer: plain async functions, one module per aggregate, each taking the abstract unit of work
(``ports.PaymentUnitOfWork``), the :class:`ports.Services` built by the composition root, the caller's agency (from
the verified token, never from a request) and plain values. No gRPC, no proto, no session, no engine here."""
