"""The citizen portal in a real headless Chromium against `lienthong dev`: sign-in with and without TOTP, the
record and the access log after an agency read it, isolation between citizens, refusals, and axe-core."""

from __future__ import annotations

import csv
import io
import time
import uuid
from pathlib import Path

import pyotp
import pytest

from lienthong_portal.session import Session, SessionCodec
from lienthong_runtime.crypto import Keyring
from tests.dev_platform import Dev
from tests.observability.support import sample, scrape

from .conftest import axe_violations
from .platform import DEMO_AGENCY, Agency, Citizen

pytestmark = pytest.mark.slow

LEGAL_BASIS = "Luật Bảo hiểm xã hội 2024, Điều 12"


def _purpose() -> str:
    return f"social_insurance.enrolment_{uuid.uuid4().hex[:8]}"


def _new_page(chromium, dev: Dev):  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=dev.portal, locale="vi-VN")
    return context, context.new_page()


def _sign_in(page, citizen: Citizen) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Số định danh cá nhân (12 chữ số)").fill(citizen.personal_id)
    page.get_by_label("Mật khẩu").fill(citizen.password)
    page.get_by_role("button", name="Đăng nhập").click()


def _check(page, artifacts: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def test_a_citizen_sees_their_record_and_who_read_it(dev, agency: Agency, chromium, artifacts):
    purpose = _purpose()
    agency.grant(purpose, LEGAL_BASIS, ["full_name", "date_of_birth"])
    citizen = agency.new_citizen("Trần Thị Ánh Dương")
    agency.read(citizen, purpose)
    agency.read(citizen, purpose)

    context, page = _new_page(chromium, dev)
    page.goto("/login")
    _check(page, artifacts, "01-login")
    _sign_in(page, citizen)
    page.wait_for_url("**/record")
    assert "Trần Thị Ánh Dương" in page.inner_text("main")
    assert citizen.personal_id in page.inner_text("main")
    assert "Thành phố Hồ Chí Minh" in page.inner_text("main")  # the address named from the official list
    _check(page, artifacts, "02-record")

    cookie = next(c for c in context.cookies() if c["name"] == "lt_portal")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.get_by_role("link", name="Ai đã sử dụng dữ liệu của tôi").click()
    page.wait_for_url("**/access")
    rows = page.locator("#access-log tbody tr")
    reads = [r for r in rows.all_inner_texts() if purpose in r]
    assert len(reads) == 2
    assert all(DEMO_AGENCY in r and LEGAL_BASIS in r and "Đọc hồ sơ" in r and "Toàn vẹn" in r for r in reads)
    assert all("Họ và tên" in r and "Ngày sinh" in r for r in reads)  # field names in plain words
    assert agency.agency_id not in page.inner_text("main")  # the agency's name, never its id
    _check(page, artifacts, "03-access-log")

    # Filters: by agency (the only one), and a period that ends before today shows nothing.
    page.get_by_label("Cơ quan").select_option(label=DEMO_AGENCY)
    page.get_by_role("button", name="Lọc").click()
    assert len([r for r in rows.all_inner_texts() if purpose in r]) == 2
    page.goto("/access?to=2020-01-01")
    assert page.locator("#access-count").inner_text() == "0"

    with page.expect_download() as download:
        page.goto("/access")
        page.get_by_role("link", name="Tải về (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["Thời gian", "Cơ quan", "Hoạt động"]
    assert len([row for row in table if purpose in row]) == 2
    assert all(row[1] == DEMO_AGENCY for row in table if purpose in row)

    page.goto("/access?lang=en")
    assert page.get_by_role("heading", level=1).inner_text() == "Who used my data"
    assert "Intact" in page.inner_text("#access-log")
    _check(page, artifacts, "04-access-log-en")
    page.goto("/access?lang=vi")
    context.close()


def test_sign_in_with_totp(dev, agency: Agency, chromium, artifacts):
    citizen = agency.new_citizen("Lê Văn Bình", totp=True)
    context, page = _new_page(chromium, dev)
    _sign_in(page, citizen)
    page.wait_for_url("**/login/totp")
    _check(page, artifacts, "05-totp")
    page.get_by_label("Mã 6 chữ số").fill(
        "000000" if pyotp.TOTP(citizen.totp_secret).now() != "000000" else "111111"
    )
    page.get_by_role("button", name="Xác nhận").click()
    assert "Số định danh, mật khẩu hoặc mã không đúng." in page.inner_text("main")
    page.get_by_label("Mã 6 chữ số").fill(pyotp.TOTP(citizen.totp_secret).now())
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/record")
    assert "Lê Văn Bình" in page.inner_text("main")

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/login")
    page.goto("/record")
    page.wait_for_url("**/login")
    context.close()

    # The password step alone is no session: the record stays out of reach and the pending step is dropped.
    context, page = _new_page(chromium, dev)
    _sign_in(page, citizen)
    page.wait_for_url("**/login/totp")
    page.goto("/record")
    page.wait_for_url("**/login")
    assert "Lê Văn Bình" not in page.content()
    page.goto("/login/totp")
    assert "Phiên đăng nhập đã hết hạn" in page.inner_text("main")
    context.close()


def test_a_second_citizen_never_sees_the_first_ones_entries(dev, agency: Agency, chromium):
    purpose = _purpose()
    agency.grant(purpose, LEGAL_BASIS, ["full_name"])
    first = agency.new_citizen("Phạm Thị Hoa")
    second = agency.new_citizen("Võ Văn Nam")
    agency.read(first, purpose)

    context, page = _new_page(chromium, dev)
    _sign_in(page, second)
    page.wait_for_url("**/record")
    assert "Võ Văn Nam" in page.inner_text("main") and "Phạm Thị Hoa" not in page.content()
    page.goto("/access")
    assert purpose not in page.content()
    assert first.personal_id not in page.content()
    response = page.request.get("/access.csv")
    assert response.ok and purpose not in response.text() and first.personal_id not in response.text()
    # Asking for another agency's or citizen's view through the query string changes nothing.
    page.goto(f"/access?agency={agency.agency_id}")
    assert purpose not in page.content()
    context.close()


def test_a_wrong_password_is_refused(dev, agency: Agency, chromium):
    citizen = agency.new_citizen("Đặng Thu Trang")
    context, page = _new_page(chromium, dev)
    _sign_in(page, Citizen(citizen.personal_id, citizen.password + "x", citizen.full_name))
    assert "Số định danh, mật khẩu hoặc mã không đúng." in page.inner_text("main")
    assert page.url.endswith("/login")
    page.goto("/record")
    page.wait_for_url("**/login")
    assert "Đặng Thu Trang" not in page.content()
    context.close()


def test_forged_sessions_and_missing_csrf_tokens_are_refused(dev, agency: Agency, chromium):
    citizen = agency.new_citizen("Bùi Minh Khoa")
    context, page = _new_page(chromium, dev)
    _sign_in(page, citizen)
    page.wait_for_url("**/record")
    real = next(c for c in context.cookies() if c["name"] == "lt_portal")
    port = dev.portal.rsplit(":", 1)[1]

    def visit_with(value: str) -> str:
        forged = chromium.new_context(base_url=dev.portal)
        forged.add_cookies([{"name": "lt_portal", "value": value, "url": f"http://127.0.0.1:{port}/"}])
        tab = forged.new_page()
        tab.goto("/record")
        landed, content = tab.url, tab.content()
        forged.close()
        assert "Bùi Minh Khoa" not in content
        return landed

    flipped = real["value"][:-6] + ("A" if real["value"][-6] != "A" else "B") + real["value"][-5:]
    assert visit_with(flipped).endswith("/login")
    assert visit_with("not-a-session").endswith("/login")
    # A well-formed session holding nothing but a made-up token, sealed with a key that is not the portal's.
    outsider = SessionCodec(Keyring({"dev1": b"\x07" * 32}), secure=False, idle_seconds=600)
    assert visit_with(
        outsider.seal(Session(access_token="eyJhbGciOiJub25lIn0.e30.", refresh_token="x"))
    ).endswith("/login")

    # A state-changing POST without the session's CSRF token is refused, and the session survives it.
    refused = page.request.post("/logout", form={"csrf": "guessed"}, max_redirects=0)
    assert refused.status == 403
    page.goto("/record")
    assert "Bùi Minh Khoa" in page.inner_text("main")
    context.close()


def test_the_citizen_sees_the_receipts_and_notices_sent_to_them(dev, agency: Agency, chromium, artifacts):
    address = f"citizen-{uuid.uuid4().hex[:8]}@example.vn"
    citizen = agency.new_citizen("Hoàng Thị Mai", email=address)
    agency.pay(address)
    agency.move(citizen, "12 Lê Duẩn")

    context, page = _new_page(chromium, dev)
    _sign_in(page, citizen)
    page.wait_for_url("**/record")
    assert "12 Lê Duẩn" in page.inner_text("main")  # the record as the registry now holds it
    page.get_by_role("link", name="Thanh toán và thông báo").click()
    deadline = time.monotonic() + 30
    while page.locator("#notifications tbody tr").count() < 2:  # the receipt and the notice of the change
        assert time.monotonic() < deadline, page.inner_text("main")
        time.sleep(0.5)
        page.reload()
    rows = page.locator("#notifications tbody tr").all_inner_texts()
    assert len(rows) == 2 and all("Thư điện tử" in r and "Đã gửi tới" in r for r in rows)
    receipt = next(r for r in rows if "Biên lai thanh toán" in r)
    notice = next(r for r in rows if "Hồ sơ dân cư" in r)
    assert DEMO_AGENCY in receipt and "Nền tảng Liên Thông" in notice
    _check(page, artifacts, "06-notifications")
    context.close()

    # What the operators' dashboards read moved with it (the live /metrics of the same platform).
    exposition = scrape(dev.metrics_urls()["portal"])
    assert sample(exposition, "lienthong_portal_logins_total", {"outcome": "success"}) >= 1
    assert sample(exposition, "lienthong_payment_transitions_total", {"state": "SUCCESS"}) >= 1
    assert (
        sample(exposition, "lienthong_notify_deliveries_total", {"channel": "email", "outcome": "DELIVERED"})
        >= 2
    )
    assert sample(exposition, "lienthong_outbox_published_total", {"service": "payment"}) >= 1
    assert sample(exposition, "lienthong_database_up", {"service": "registry"}) == 1

    stranger = agency.new_citizen("Ngô Văn Tùng")
    context, page = _new_page(chromium, dev)
    _sign_in(page, stranger)
    page.wait_for_url("**/record")
    page.goto("/notifications")
    assert "Chưa có thông báo nào được gửi tới bạn." in page.inner_text("main")
    context.close()
