"""Database tables of the payment service."""

from sqlalchemy import MetaData

from lienthong_runtime.events import outbox_table, processed_events_table

metadata = MetaData()
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
