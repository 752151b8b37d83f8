"""Shared runtime of the Liên Thông services: server bootstrap, interceptors, errors, settings, database,
migrations, token verification and events. It holds no domain code."""
