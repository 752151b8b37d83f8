"""The edXML package (QCVN 102:2016/BTTTT) written and read incrementally.

Writing streams the package: the header, then each attachment base64-encoded chunk by chunk. Reading feeds the
package to expat piece by piece and hands attachment content out as it is decoded, so neither direction holds
an attachment whole in memory.

Element names follow the edXML envelope as used by document management systems connected to the national
axis (``edXMLEnvelope/edXMLHeader/MessageHeader`` with From/To/OrganId, Code/CodeNumber/CodeNotation,
PromulgationInfo, DocumentType, Subject, SignerInfo, OtherInfo/Priority, TraceHeaderList, and an
``AttachmentEncoded`` section). What edXML does not carry (confidentiality, relation, processing statuses)
travels in elements of the ``urn:lienthong:edxml:1`` namespace, which other systems ignore. See the README for
which parts were confirmed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
LT = "urn:lienthong:edxml:1"
PRIORITY = {"NORMAL": "0", "URGENT": "1", "TOP_URGENT": "2", "EXPRESS": "3"}
URGENCY_OF = {v: k for k, v in PRIORITY.items()}


@dataclass
class Package:
    """What a package says, as plain values (handlers map it to and from the domain)."""

    document_id: str = ""
    from_code: str = ""
    from_name: str = ""
    to: list[tuple[str, str]] = field(default_factory=list)
    number_symbol: str = ""
    issue_place: str = ""
    issue_date: date | None = None
    document_type: str = ""
    summary: str = ""
    signer_name: str = ""
    signer_title: str = ""
    urgency: str = "NORMAL"
    confidentiality: str = "NORMAL"
    relation: str = ""
    related_document_id: str = ""
    trace: list[tuple[str, datetime]] = field(default_factory=list)
    #: (recipient code, status name, time, reason)
    statuses: list[tuple[str, str, datetime, str]] = field(default_factory=list)


def _el(name: str, text: str, ns: str = "edXML") -> str:
    return f"<{ns}:{name}>{escape(text)}</{ns}:{name}>"


def header(p: Package) -> str:
    number, _, notation = p.number_symbol.partition("/")
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<edXML xmlns="{NS}" xmlns:edXML="{NS}" xmlns:lt="{LT}"><edXML:edXMLEnvelope><edXML:edXMLHeader>',
        "<edXML:MessageHeader>",
        f"<edXML:From>{_el('OrganId', p.from_code)}{_el('OrganName', p.from_name)}</edXML:From>",
        *(f"<edXML:To>{_el('OrganId', c)}{_el('OrganName', n)}</edXML:To>" for c, n in p.to),
        _el("DocumentId", p.document_id),
        f"<edXML:Code>{_el('CodeNumber', number)}{_el('CodeNotation', notation)}</edXML:Code>",
        "<edXML:PromulgationInfo>",
        _el("Place", p.issue_place),
        _el("PromulgationDate", p.issue_date.strftime("%Y/%m/%d") if p.issue_date else ""),
        "</edXML:PromulgationInfo>",
        f"<edXML:DocumentType>{_el('TypeName', p.document_type)}</edXML:DocumentType>",
        _el("Subject", p.summary),
        f"<edXML:SignerInfo>{_el('Position', p.signer_title)}{_el('FullName', p.signer_name)}</edXML:SignerInfo>",
        f"<edXML:OtherInfo>{_el('Priority', PRIORITY[p.urgency])}</edXML:OtherInfo>",
        _el("Confidentiality", p.confidentiality, "lt"),
        _el("Relation", p.relation, "lt"),
        _el("RelatedDocumentId", p.related_document_id, "lt"),
        "</edXML:MessageHeader><edXML:TraceHeaderList>",
        *(
            f"<edXML:TraceHeader>{_el('OrganId', c)}{_el('Timestamp', t.isoformat())}</edXML:TraceHeader>"
            for c, t in p.trace
        ),
        "</edXML:TraceHeaderList><lt:StatusList>",
        *(
            f"<lt:Status>{_el('OrganId', c, 'lt')}{_el('StatusCode', s, 'lt')}"
            f"{_el('Timestamp', t.isoformat(), 'lt')}{_el('Description', r, 'lt')}</lt:Status>"
            for c, s, t, r in p.statuses
        ),
        "</lt:StatusList></edXML:edXMLHeader></edXML:edXMLEnvelope><AttachmentEncoded>",
    ]
    return "".join(parts)


async def attachment(name: str, content_type: str, content: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """One ``Attachment`` element, its content base64-encoded as it streams."""
    yield (
        f"<Attachment>{_el('AttachmentName', name, 'edXML')}{_el('ContentType', content_type, 'edXML')}"
        "<edXML:ContentTransferEncoded>"
    ).encode()
    carry = b""
    async for chunk in content:
        data = carry + chunk
        cut = len(data) - len(data) % 3
        carry = data[cut:]
        yield base64.b64encode(data[:cut])
    yield base64.b64encode(carry) + b"</edXML:ContentTransferEncoded></Attachment>"


FOOTER = b"</AttachmentEncoded></edXML>"


class Reader:
    """Feed the package with :meth:`feed`; after each feed, :meth:`drain` returns what was found:
    ("begin", (name, content type)), ("data", bytes) and ("end", None) items, in order."""

    def __init__(self) -> None:
        self.package = Package()
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._text
        self._stack: list[str] = []
        self._text_parts: list[str] = []
        self._out: list[tuple[str, Any]] = []
        self._att: dict[str, str] = {}
        self._b64 = ""
        self._party: dict[str, str] = {}
        self._row: dict[str, str] = {}

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self._parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise ValueError(
                f"not well-formed XML ({expat.errors.messages.get(exc.code, 'error')})"
            ) from None

    def drain(self) -> list[tuple[str, Any]]:
        out, self._out = self._out, []
        return out

    def _local(self, name: str) -> str:
        return name.rsplit(" ", 1)[-1]

    def _start(self, name: str, attrs: Any) -> None:
        local = self._local(name)
        self._stack.append(local)
        self._text_parts = []
        if local == "ContentTransferEncoded":
            self._out.append(
                ("begin", (self._att.get("AttachmentName", ""), self._att.get("ContentType", "")))
            )
            self._b64 = ""
        elif local == "Attachment":
            self._att = {}

    def _text(self, data: str) -> None:
        if self._stack and self._stack[-1] == "ContentTransferEncoded":
            self._b64 += "".join(data.split())
            cut = len(self._b64) - len(self._b64) % 4
            if cut >= 65536:
                self._decode(self._b64[:cut])
                self._b64 = self._b64[cut:]
        else:
            self._text_parts.append(data)

    def _decode(self, text: str) -> None:
        try:
            self._out.append(("data", base64.b64decode(text, validate=True)))
        except binascii.Error:
            raise ValueError("attachment content is not base64") from None

    def _end(self, name: str) -> None:
        local = self._stack.pop()
        text = "".join(self._text_parts).strip()
        self._text_parts = []
        parent = self._stack[-1] if self._stack else ""
        if local == "ContentTransferEncoded":
            if self._b64:
                self._decode(self._b64)
            self._out.append(("end", None))
            return
        handler = _FIELDS.get((parent, local))
        if handler is not None:
            handler(self, text)
        elif parent == "Attachment":
            self._att[local] = text
        elif parent in ("From", "To", "TraceHeader", "Status"):
            self._party[local] = text
        elif local in ("From", "To", "TraceHeader", "Status"):
            self._close_party(local)

    def _close_party(self, local: str) -> None:
        p, pkg = self._party, self.package
        self._party = {}
        if local == "From":
            pkg.from_code, pkg.from_name = p.get("OrganId", ""), p.get("OrganName", "")
        elif local == "To":
            pkg.to.append((p.get("OrganId", ""), p.get("OrganName", "")))
        elif local == "TraceHeader" and p.get("OrganId"):
            pkg.trace.append((p["OrganId"], _time(p.get("Timestamp", ""))))
        elif local == "Status":
            pkg.statuses.append(
                (
                    p.get("OrganId", ""),
                    p.get("StatusCode", ""),
                    _time(p.get("Timestamp", "")),
                    p.get("Description", ""),
                )
            )


def _time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return datetime.strptime(text, "%Y/%m/%d %H:%M:%S")


def _set(attr: str, convert: Callable[[str], Any] = str) -> Callable[[Reader, str], None]:
    def apply(reader: Reader, text: str) -> None:
        setattr(reader.package, attr, convert(text))

    return apply


def _number(reader: Reader, text: str) -> None:
    reader.package.number_symbol = text + reader.package.number_symbol


def _notation(reader: Reader, text: str) -> None:
    if text:
        reader.package.number_symbol += "/" + text


def _date(text: str) -> date | None:
    return datetime.strptime(text, "%Y/%m/%d").date() if text else None


_FIELDS: dict[tuple[str, str], Callable[[Reader, str], None]] = {
    ("MessageHeader", "DocumentId"): _set("document_id"),
    ("Code", "CodeNumber"): _number,
    ("Code", "CodeNotation"): _notation,
    ("PromulgationInfo", "Place"): _set("issue_place"),
    ("PromulgationInfo", "PromulgationDate"): _set("issue_date", _date),
    ("DocumentType", "TypeName"): _set("document_type"),
    ("MessageHeader", "Subject"): _set("summary"),
    ("SignerInfo", "FullName"): _set("signer_name"),
    ("SignerInfo", "Position"): _set("signer_title"),
    ("OtherInfo", "Priority"): _set("urgency", lambda t: URGENCY_OF.get(t, "NORMAL")),
    ("MessageHeader", "Confidentiality"): _set("confidentiality", lambda t: t or "NORMAL"),
    ("MessageHeader", "Relation"): _set("relation"),
    ("MessageHeader", "RelatedDocumentId"): _set("related_document_id"),
}
