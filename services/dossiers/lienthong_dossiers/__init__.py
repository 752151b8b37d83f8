"""Liên Thông dossiers building block: the shared one-stop shop (một cửa liên thông) for public services.

Where things are (three hops from any RPC: ``dossiers.proto`` -> ``grpc_api.py`` -> ``handlers/<side>.py``):

* ``domain/``: the working-day calendar and deadlines, procedures and form checks, dossiers with their parts,
  forward-only states, history and apology letters, the on-time report rows, readable dossier codes.
* ``handlers/``: procedures (catalogue), filing (the citizen's side), processing (the agency's side), reports,
  calendar (the operator's make-up days), events (payment's and documents' events), sweep (apology letters);
  ``ports.py`` declares the abstract unit of work they take.
* ``adapters/``: tables and repositories, the SQL unit of work.
* ``bootstrap.py``: ``build(settings)``, the composition root.
"""
