"""The access log as the citizen reads it: filters by agency and period, display rows and the CSV download.

Pure functions over the generated messages; no I/O.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lienthong.registry.v1 import registry_pb2

#: Times are shown in Vietnam's time zone (UTC+7), which is what a citizen reads on a clock.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class BadPeriod(ValueError):
    """The period filter cannot be read or ends before it starts."""


@dataclass(frozen=True)
class Filters:
    agency_id: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Filters:
        def day(name: str) -> dt.date | None:
            value = query.get(name, "").strip()
            if not value:
                return None
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise BadPeriod(name) from None

        start, end = day("from"), day("to")
        if start and end and end < start:
            raise BadPeriod("to")
        return cls(query.get("agency", "").strip()[:64], start, end)

    def start_time(self) -> dt.datetime | None:
        """Midnight of the first day in Vietnam, as an aware datetime (what ListMyAccessLog filters on)."""
        return dt.datetime.combine(self.start, dt.time(), VIETNAM) if self.start else None

    def keeps(self, entry: registry_pb2.AccessLogEntry) -> bool:
        if self.agency_id and entry.agency_id != self.agency_id:
            return False
        if self.end:
            last = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), VIETNAM)
            if entry.time.ToDatetime(dt.UTC) >= last:
                return False
        return True

    def query(self) -> dict[str, str]:
        out = {"agency": self.agency_id}
        out["from"] = self.start.isoformat() if self.start else ""
        out["to"] = self.end.isoformat() if self.end else ""
        return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class Row:
    time: str
    time_iso: str
    agency: str
    action: str
    purpose: str
    legal_basis: str
    fields: tuple[str, ...]
    verified: bool


def agency_name(entry: registry_pb2.AccessLogEntry, names: Mapping[str, str]) -> str:
    """The agency's current name from identity, else the name recorded at the time, else its id."""
    return names.get(entry.agency_id) or entry.agency_name or entry.agency_id


def rows(
    entries: Iterable[registry_pb2.AccessLogEntry], names: Mapping[str, str], t: Callable[[str], str]
) -> list[Row]:
    out = []
    for e in entries:
        when = e.time.ToDatetime(dt.UTC).astimezone(VIETNAM)
        out.append(
            Row(
                time=when.strftime("%d/%m/%Y %H:%M:%S"),
                time_iso=when.isoformat(timespec="seconds"),
                agency=agency_name(e, names),
                action=t(f"act_{int(e.action)}") if 0 < int(e.action) <= 6 else t("act_0"),
                purpose=e.purpose,
                legal_basis=e.legal_basis,
                fields=tuple(t(f) for f in e.fields_disclosed),
                verified=e.chain_verified,
            )
        )
    return out


def agencies(
    entries: Iterable[registry_pb2.AccessLogEntry], names: Mapping[str, str]
) -> list[tuple[str, str]]:
    """(id, name) of every agency in the log, by name, for the agency filter."""
    seen = {e.agency_id: agency_name(e, names) for e in entries if e.agency_id}
    return sorted(seen.items(), key=lambda item: item[1].casefold())


def _cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection): quote it as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(found: Iterable[Row], t: Callable[[str], str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [t("time"), t("agency"), t("action"), t("purpose"), t("legal_basis"), t("fields"), t("chain")]
    )
    for r in found:
        writer.writerow(
            [
                _cell(r.time_iso),
                _cell(r.agency),
                _cell(r.action),
                _cell(r.purpose),
                _cell(r.legal_basis),
                _cell("; ".join(r.fields)),
                t("verified") if r.verified else t("broken"),
            ]
        )
    return out.getvalue()
