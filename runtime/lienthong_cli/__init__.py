"""The ``lienthong`` command: run, migrate and operate the building blocks."""
