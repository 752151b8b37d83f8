"""Records the handlers read back from storage that are not aggregates: a refresh token's state and what an
idempotency key of a create produced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: How long a retry of a create can still get the new client's secret; the sealed copy is cleared afterwards.
SECRET_RETENTION = timedelta(hours=24)


@dataclass(frozen=True)
class RefreshRecord:
    family_id: str
    account_id: str
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


@dataclass(frozen=True)
class StoredCreate:
    fingerprint: str
    agency_id: str
    client_id: str
    #: The client secret of the first answer ("" when the create made no client); None once past retention.
    secret: str | None


class IdempotencyConflict(Exception):
    """A concurrent create with the same idempotency key committed first (raised by ``create_requests.add``)."""
