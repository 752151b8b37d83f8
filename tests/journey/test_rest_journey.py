"""The REST face on the embedded default (`lienthong dev` as its own process), with httpx only and with the curl
walk-through: the quick-start journey, payments, a citizen's own access log, the GovStack Data API routes, and
identity's HTTP endpoints through the same port. One platform start serves every step (CPU is scarce)."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import uuid
from pathlib import Path

import httpx
import pytest

from .test_journey_embedded import embedded  # noqa: F401  (the `lienthong dev` fixture)

PURPOSE = "immigration.passport_application"
WALKTHROUGH = Path(__file__).resolve().parents[2] / "examples" / "rest" / "walkthrough.sh"


def _citizen(personal_id: str) -> dict:
    address = {"provinceCode": "01", "wardCode": "00004", "detail": "12 phố Lý Thái Tổ"}
    return {
        "personalId": personal_id,
        "fullName": "Nguyễn Thị Minh Khai",
        "dateOfBirth": {"year": 2005, "month": 3, "day": 8},
        "sex": "SEX_FEMALE",
        "nationality": "VN",
        "placeOfBirth": address,
        "permanentAddress": address,
        "currentAddress": address,
        "householdId": f"HK-{personal_id}",
        "householdRelation": "HOUSEHOLD_RELATION_HEAD",
        "lifeStatus": "LIFE_STATUS_ALIVE",
    }


async def _token(client: httpx.AsyncClient, client_id: str, secret: str, *scopes: str) -> dict[str, str]:
    reply = await client.post(
        "/v1/tokens:issue", json={"clientId": client_id, "clientSecret": secret, "scopes": list(scopes)}
    )
    assert reply.status_code == 200, reply.text
    return {"authorization": f"Bearer {reply.json()['accessToken']}"}


async def test_rest_face_on_the_embedded_default(embedded):  # noqa: F811
    _, data_dir, offset = embedded
    base = f"http://127.0.0.1:{8080 + offset}"
    credentials = json.loads((data_dir / "demo-credentials.json").read_text())
    async with httpx.AsyncClient(base_url=base, timeout=20) as client:
        personal_id, agency, citizen = await _quickstart_journey(client, credentials)
        await _payment(client, credentials)
        await _govstack_routes(client, credentials, personal_id, agency, citizen)
        jwks = await client.get("/.well-known/jwks.json")  # passed on to identity's HTTP server
        assert jwks.status_code == 200 and jwks.json()["keys"]
        assert (await client.get("/openapi.json")).json()["openapi"].startswith("3.1")
    await _curl_walkthrough(base, data_dir)


async def _quickstart_journey(
    client: httpx.AsyncClient, credentials: dict[str, str]
) -> tuple[str, dict[str, str], dict[str, str]]:
    """examples/quickstart.py over REST: token, policy, citizen, purpose-bound read, access log; then the citizen
    registers, logs in and lists who read their record. Returns the personal ID and the agency's and the
    citizen's authorization headers."""
    admin = await _token(
        client, credentials["admin_client_id"], credentials["admin_client_secret"], "registry.policies.admin"
    )
    agency = await _token(
        client,
        credentials["client_id"],
        credentials["client_secret"],
        "registry.citizens.write",
        "registry.citizens.read",
        "registry.citizens.verify",
        "registry.citizens.search",
        "registry.access_log.audit",
    )
    policy = await client.put(
        f"/v1/agencies/{credentials['agency_id']}/disclosurePolicies/{PURPOSE}",
        json={"legalBasis": "Luật Xuất nhập cảnh 2019", "fields": ["full_name", "date_of_birth", "sex"]},
        headers=admin,
    )
    assert policy.status_code == 200, policy.text
    personal_id = f"001305{random.randint(0, 999_999):06d}"
    created = await client.post(
        "/v1/citizens",
        json={"citizen": _citizen(personal_id), "legalReason": "Đăng ký khai sinh"},
        headers=agency,
    )
    assert created.status_code == 200, created.text
    assert created.json()["citizen"]["version"] == "1"  # int64 is a string in proto3 JSON
    again = await client.post(
        "/v1/citizens", json={"citizen": _citizen(personal_id), "legalReason": "x"}, headers=agency
    )
    assert again.status_code == 409 and again.json()["error"]["details"][0]["reason"] == "CITIZEN_EXISTS"
    read = await client.get(f"/v1/citizens/{personal_id}", params={"purpose": PURPOSE}, headers=agency)
    assert read.status_code == 200, read.text
    view = read.json()["citizen"]
    assert sorted(view["disclosedFields"]) == ["date_of_birth", "full_name", "sex"]
    assert "permanentAddress" not in view
    refused = await client.get(f"/v1/citizens/{personal_id}", params={"purpose": "marketing"}, headers=agency)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"][0]["reason"] == "PURPOSE_NOT_ALLOWED"
    log = await client.get("/v1/accessLogEntries", params={"personalId": personal_id}, headers=agency)
    assert log.status_code == 200, log.text
    assert any(e["action"] == "ACCESS_ACTION_READ" and e["purpose"] == PURPOSE for e in log.json()["entries"])

    password = f"Mật-khẩu-{uuid.uuid4().hex[:10]}"
    account = await client.post(
        "/v1/citizenAccounts",
        json={
            "personalId": personal_id,
            "password": password,
            "email": f"c-{uuid.uuid4().hex[:6]}@example.vn",
        },
    )
    assert account.status_code == 200, account.text
    login = await client.post(
        "/v1/citizenAccounts:login", json={"personalId": personal_id, "password": password}
    )
    assert login.status_code == 200, login.text
    citizen = {"authorization": f"Bearer {login.json()['accessToken']}"}
    mine = await client.get("/v1/me/accessLogEntries", headers=citizen)
    assert mine.status_code == 200 and mine.json()["entries"][0]["agencyId"] == credentials["agency_id"]
    return personal_id, agency, citizen


async def _payment(client: httpx.AsyncClient, credentials: dict[str, str]) -> None:
    headers = await _token(
        client,
        credentials["client_id"],
        credentials["client_secret"],
        "payment.payments.write",
        "payment.payments.read",
    )
    created = await client.post(
        "/v1/payments",
        json={
            "amountVnd": "125000",
            "description": "Lệ phí cấp bản sao trích lục",
            "reference": f"HS-{uuid.uuid4().hex[:8]}",
            "returnUrl": "https://dichvucong.gov.vn/thanh-toan/ket-qua",
            "idempotencyKey": str(uuid.uuid4()),
            "provider": "PAYMENT_PROVIDER_SANDBOX",
        },
        headers=headers,
    )
    assert created.status_code == 200, created.text
    payment_id = created.json()["payment"]["id"]
    fetched = await client.get(f"/v1/payments/{payment_id}", headers=headers)
    assert fetched.status_code == 200 and fetched.json()["payment"]["amountVnd"] == "125000"


async def _govstack_routes(
    client: httpx.AsyncClient,
    credentials: dict[str, str],
    personal_id: str,
    agency: dict[str, str],
    citizen: dict[str, str],
) -> None:
    """The GovStack Data API template's routes on the same registry, purpose-bound and logged."""
    base = "/data/citizens/1.0"
    read = await client.post(
        f"{base}/read",
        params={"purpose": PURPOSE},
        json={"query": {"content": {"personalId": personal_id}}},
        headers=agency,
    )
    assert read.status_code == 200, read.text
    assert read.json()["content"]["personalId"] == personal_id and "fullName" in read.json()["content"]
    missing = await client.post(
        f"{base}/read",
        params={"purpose": PURPOSE},
        json={"query": {"content": {"personalId": "001305999999"}}},
        headers=agency,
    )
    assert missing.status_code == 404 and missing.json()["detail"] == "no record found"
    exists = await client.post(
        f"{base}/exists",
        params={"purpose": PURPOSE},
        json={"query": {"content": {"personalId": personal_id, "fullName": "Nguyễn Thị Minh Khai"}}},
        headers=agency,
    )
    assert exists.status_code == 200 and exists.json()["answer"]["status"] is True
    value = await client.get(
        f"{base}/{personal_id}/readValue/fullName.json", params={"purpose": PURPOSE}, headers=agency
    )
    assert value.status_code == 200 and value.json() == {"value": "Nguyễn Thị Minh Khai"}
    hidden = await client.get(
        f"{base}/{personal_id}/readValue/currentAddress.json", params={"purpose": PURPOSE}, headers=agency
    )
    assert hidden.status_code == 403
    listed = await client.get(
        base,
        params={
            "purpose": PURPOSE,
            "query.fullName": "Nguyễn Thị Minh Khai",
            "query.dateOfBirth": "2005-03-08",
        },
        headers=agency,
    )
    assert listed.status_code == 200, listed.text
    assert personal_id in {r["personalId"] for r in listed.json()["results"]}
    regex = await client.get(base, params={"purpose": PURPOSE, "search": "Ng.*"}, headers=agency)
    assert regex.status_code == 400
    await _govstack_writes(client, base, agency)
    deleted = await client.delete(f"{base}/{personal_id}/delete", headers=agency)
    assert deleted.status_code == 405
    assert deleted.json()["error"]["details"][0]["reason"] == "RECORDS_NEVER_DELETED"
    usage = await client.get(
        "/data/mypersonalDataUsage",
        params={"userId": personal_id, "databaseId": "citizens"},
        headers=citizen,
    )
    assert usage.status_code == 200, usage.text
    assert {u["readerInstitutionId"] for u in usage.json()} == {credentials["agency_id"]}
    assert any(u["refrences"][0]["ReferenceId"] == PURPOSE for u in usage.json())
    not_mine = await client.get(
        "/data/mypersonalDataUsage",
        params={"userId": "001305000001"},
        headers=citizen,
    )
    assert not_mine.status_code == 403


async def _govstack_writes(client: httpx.AsyncClient, base: str, agency: dict[str, str]) -> None:
    """create, update (optimistic: the version it is based on) and updateOrCreate (both ways)."""
    reason = {"legal_reason": "Quyết định 12/QĐ-UBND"}
    first, second = (f"001305{random.randint(0, 999_999):06d}" for _ in range(2))
    created = await client.post(
        f"{base}/create", params=reason, json={"write": {"content": _citizen(first)}}, headers=agency
    )
    assert created.status_code == 200, created.text
    assert created.json()["content"]["version"] == "1"
    moved = {"currentAddress": {"provinceCode": "01", "wardCode": "00004", "detail": "3 Tràng Tiền"}}
    body = {"query": {"content": {"personalId": first, "version": 1}}, "write": {"content": moved}}
    updated = await client.put(f"{base}/update", params=reason, json=body, headers=agency)
    assert updated.status_code == 200, updated.text
    assert updated.json()["content"]["version"] == "2"
    stale = await client.put(f"{base}/update", params=reason, json=body, headers=agency)
    assert stale.status_code == 409 and stale.json()["error"]["details"][0]["reason"] == "VERSION_MISMATCH"
    made = await client.post(
        f"{base}/updateOrCreate",
        params=reason,
        json={"query": {"content": {"personalId": second}}, "write": {"content": _citizen(second)}},
        headers=agency,
    )
    assert made.status_code == 200 and made.json()["content"]["version"] == "1", made.text
    body = {"query": {"content": {"personalId": second, "version": 1}}, "write": {"content": moved}}
    changed = await client.post(f"{base}/updateOrCreate", params=reason, json=body, headers=agency)
    assert changed.status_code == 200 and changed.json()["content"]["version"] == "2", changed.text


async def _curl_walkthrough(base: str, data_dir: Path) -> None:
    if not (shutil.which("curl") and shutil.which("jq")):
        pytest.fail("curl and jq are needed (make system-deps installs them)")
    process = await asyncio.create_subprocess_exec(
        "bash",
        str(WALKTHROUGH),
        base,
        str(data_dir / "demo-credentials.json"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    text = output.decode()
    assert process.returncode == 0, text
    assert (
        "1. tokens issued" in text and '"disclosed":["full_name","date_of_birth","sex","nationality"]' in text
    )
    assert '"action":"ACCESS_ACTION_READ"' in text
