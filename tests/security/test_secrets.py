"""Secrets and personal data at rest, in logs and in outboxes (finding 3: identity's outbox held a citizen's
personal ID, e-mail and phone in clear, readable in the SQLite WAL after the row was deleted; notify kept a
receipt's recipient in clear; database, WAL and audit files were created 0644).

The scan: after the citizen journey runs (registry record, account, login, payment and receipt, record change
and its e-mail) and a citizen registers with an e-mail and a phone number, no personal value used (name,
personal ID, e-mails, phone, address) appears in clear in any database file, WAL, log or audit file the platform
wrote (distributed: in any row of the services' PostgreSQL databases, and in every process log). The mail
folder is left out: it is the recipients' mailbox, where a message to an address must name it.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import random
import stat
import uuid
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.engine import make_url

from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from tests.journey.journey import new_citizen, run_journey

from .platforms import Target
from .tally import Cases

#: Files the scan leaves out, by name: the recipients' mailbox and the credentials printed for the developer.
NOT_PLATFORM_RECORDS = ("mail", "demo-credentials.json", "secrets", "home")


def _files(root: Path) -> list[Path]:
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part in NOT_PLATFORM_RECORDS for part in p.relative_to(root).parts)
    ]


def _variants(value: str) -> list[bytes]:
    """The byte forms a value would take in a file: UTF-8, and UTF-16 (SQLite may store text either way)."""
    return [value.encode("utf-8"), value.encode("utf-16-le")]


def _database_rows(url: str) -> bytes:
    """Every row of every table of a PostgreSQL database, as text and raw bytes."""
    sync = make_url(url).set(drivername="postgresql+psycopg2")
    engine = create_engine(sync)
    chunks: list[bytes] = []
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                for row in connection.execute(select(table)):
                    for value in row:
                        if isinstance(value, bytes | bytearray | memoryview):
                            chunks.append(bytes(value))
                        elif value is not None:
                            chunks.append(str(value).encode("utf-8"))
    finally:
        engine.dispose()
    return b"\n".join(chunks)


async def _read_mail(target: Target, address: str) -> str | None:
    for path in sorted(target.mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message["To"]):
            body = message.get_body(preferencelist=("plain", "html"))
            return f"{message['Subject']}\n{body.get_content() if body else ''}"
    return None


async def test_no_personal_value_is_left_in_clear_after_the_journey(target: Target) -> None:
    cases = Cases("secrets at rest", target.name)
    citizen = new_citizen()
    result = await run_journey(target.gateway, target.credentials, lambda a: _read_mail(target, a))
    # A citizen registering with an e-mail and a phone: identity's outbox carries both to notify.
    pid = f"001203{random.randint(0, 999_999):06d}"
    contact_email = f"lien-he-{uuid.uuid4().hex[:8]}@example.vn"
    phone = f"+8491{random.randint(0, 9_999_999):07d}"
    async with target.channel() as channel:
        await identity_pb2_grpc.IdentityServiceStub(channel).RegisterCitizen(
            identity_pb2.RegisterCitizenRequest(
                personal_id=pid,
                password=f"Mật-khẩu-{uuid.uuid4().hex[:10]}",
                email=contact_email,
                phone_number=phone,
            )
        )
    await asyncio.sleep(2.0)  # relays publish and delete their rows; notify stores the contact
    values = {
        "journey personal ID": result.personal_id,
        "journey full name": citizen.full_name,
        "journey address": citizen.current_address.detail,
        "journey new address": "12 Lê Duẩn",
        "registered personal ID": pid,
        "registered e-mail": contact_email,
        "registered phone": phone,
        "registered phone (national)": "0" + phone.removeprefix("+84"),
    }
    for path in target.mail_dir.glob("*.eml"):  # every address the platform mailed (payer, citizen)
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for address in getattr(message["To"], "addresses", ()):
            values.setdefault(f"e-mail {address.addr_spec}", address.addr_spec)
    cases.check("the journey's e-mails arrived", any(k.startswith("e-mail ") for k in values))

    sources: dict[str, bytes] = {str(p): p.read_bytes() for p in _files(target.files)}
    sources.update({str(p): p.read_bytes() for p in target.logs if p.exists()})
    for service, url in target.database_urls.items():
        sources[f"postgresql:{service}"] = await asyncio.to_thread(_database_rows, url)
    cases.check("the scan found the platform's records", len(sources) >= 5, str(sorted(sources)))
    for name, value in values.items():
        found = [where for where, data in sources.items() if any(v in data for v in _variants(value))]
        cases.check(f"{name} nowhere in clear", not found, ", ".join(found))
    cases.done()


def test_database_wal_audit_and_mail_files_are_owner_only(target: Target) -> None:
    cases = Cases("secrets at rest", target.name)
    sensitive = [
        p
        for p in target.files.rglob("*")
        if p.is_file()
        and (
            p.suffix in (".db", ".jsonl", ".eml", ".key")
            or p.name.endswith(("-wal", "-shm", "-journal", "-kek"))
            or p.name == "demo-credentials.json"
        )
    ]
    if target.name == "embedded":
        cases.check("the embedded platform wrote databases, WAL and an audit file", len(sensitive) >= 6)
    for path in sensitive:
        mode = stat.S_IMODE(path.stat().st_mode)
        cases.check(f"{path.relative_to(target.files)} is 0600", mode & 0o077 == 0, oct(mode))
    if target.name == "distributed":
        cases.check(
            "the distributed platform's mail sink wrote messages", any(p.suffix == ".eml" for p in sensitive)
        )
    cases.done()
