"""Liên Thông documents building block: the national document exchange axis between agencies.

Where things are (three hops from any RPC: ``documents.proto`` -> ``grpc_api.py`` -> ``handlers/<step>.py``):

* ``domain/``: identifier codes (QCVN 102:2016 / Decision 20/2020), document metadata (Decree 30/2020),
  forward-only processing status, signature checks and receive policies, the directory entry.
* ``handlers/``: directory, attachments (upload, download), sending (send, update/replace, recall), reading
  (documents, inbox, sent, status history, access log, the inbox feed), processing (receipt, status, recall
  acknowledgement), exchange (edXML), housekeeping.
* ``adapters/``: tables and repositories, the unit of work, sealed attachment chunks (``blobs.py``), pyHanko
  verification (``pdf_signatures.py``), the streaming edXML writer and reader (``edxml.py``).
* ``bootstrap.py``: ``build(settings)``.
"""
