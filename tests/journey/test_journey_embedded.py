"""The journey against the embedded default: `lienthong dev` as its own process (SQLite, memory bus, mail sink)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import signal
import sys
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from lienthong.documents.v1 import documents_pb2 as pb
from lienthong.dossiers.v1 import dossiers_pb2 as dossiers_pb
from lienthong.registry.v1 import registry_pb2
from tests.dev_platform import free_offset

from .documents_journey import run_document_journey
from .dossiers_journey import CERTIFICATE, run_dossier_journey
from .journey import PURPOSE, run_journey
from .prefill_journey import run_prefill_journey
from .quickstart import assert_quickstart_runs


@pytest.fixture
async def embedded(tmp_path: Path):
    try:
        offset = free_offset()
    except RuntimeError:
        pytest.skip("no free block of loopback ports for lienthong dev")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lienthong_cli",
        "dev",
        "--data-dir",
        str(tmp_path),
        "--port-offset",
        str(offset),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    output = []
    try:
        while True:
            line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
            assert line, "lienthong dev exited early:\n" + "".join(output)
            output.append(line.decode())
            if "Stop with Ctrl+C" in output[-1]:
                break
        yield f"127.0.0.1:{50051 + offset}", tmp_path, offset
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        finally:
            if process.returncode is None:
                process.kill()


async def test_citizen_journey_on_the_embedded_default(embedded):
    gateway, data_dir, offset = embedded
    # `make run` brings every endpoint to SERVING: the gateway and the six building blocks.
    for port in (50051, 50061, 50062, 50063, 50064, 50065, 50066):
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port + offset}") as channel:
            reply = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=10
            )
            assert reply.status == health_pb2.HealthCheckResponse.SERVING, port
    credentials = json.loads((data_dir / "demo-credentials.json").read_text())

    async def read_mail(address: str) -> str | None:
        for path in sorted((data_dir / "mail").glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(message["To"]):
                body = message.get_body(preferencelist=("plain", "html"))
                return f"{message['Subject']}\n{body.get_content() if body else ''}"
        return None

    result = await run_journey(gateway, credentials, read_mail)
    assert result.payment_id
    print(result.receipt)
    assert result.reference in result.receipt and "125.000" in result.receipt  # reference and amount in đồng
    reads = [
        e for e in result.access_log if e.action == registry_pb2.ACCESS_ACTION_READ and e.purpose == PURPOSE
    ]
    assert reads and reads[0].agency_id == credentials["agency_id"]
    assert set(reads[0].fields_disclosed) <= {"full_name", "date_of_birth", "personal_id"}

    # A province sends a signed decision to a ministry, which registers and completes it (signed by the demo CA
    # that `lienthong dev` trusts); the ministry's notification address got the "hỏa tốc" e-mail.
    documents = await run_document_journey(
        gateway, credentials, data_dir / "documents-dev-signer.pem", read_mail
    )
    assert (
        documents.signature.state == pb.SIGNATURE_STATE_VALID
        and documents.signature.signer == "Người ký demo"
    )
    assert documents.history[-1] == pb.PROCESSING_STATUS_COMPLETED
    assert "[HỎA TỐC] Văn bản 15/QĐ-UBND" in documents.alert

    # The newborn linked procedure: fee, supplement, signed results through documents, notices, the report.
    dossier = await run_dossier_journey(gateway, credentials, read_mail)
    assert dossier.dossier.state == dossiers_pb.DOSSIER_STATE_COMPLETED
    assert all(p.result_document_id for p in dossier.dossier.parts) and dossier.dossier.fee_paid
    assert sorted((r.received, r.on_time, r.late) for r in dossier.report) == [(1, 1, 0)] * 3
    assert dossier.dossier.code in dossier.notice
    assert dossier.attachment == CERTIFICATE  # uploaded by the citizen, read back by the civil-status agency

    # Prefill from the registry: `lienthong dev` gives dossiers registry access. Without consent nothing is
    # disclosed and the registry's access log gets no entry; with it, only the policy's fields, logged once.
    prefill = await run_prefill_journey(gateway, credentials)
    assert prefill.refused == grpc.StatusCode.FAILED_PRECONDITION and prefill.reads_before_consent == 0
    assert prefill.form == {"full_name": prefill.record.full_name, "date_of_birth": "2003-09-02"}
    assert prefill.disclosed == ["date_of_birth", "full_name"]
    assert [(e.agency_id, e.client_id) for e in prefill.reads] == [
        (credentials["agency_id"], credentials["client_id"])
    ]

    # The README's quickstart, run as written against the same `lienthong dev`, so the example cannot rot.
    await assert_quickstart_runs(gateway, data_dir / "demo-credentials.json")
