"""The public-service journey, through the gateway with the generated client only: a citizen files the newborn
linked procedure (birth registration + permanent residence + health insurance card), the fee is paid through
payment's sandbox, the police ask for a supplement, the citizen supplies it, each agency returns its signed result
as a document sent through the documents block, the dossier completes, the citizen got the notices by e-mail and
the on-time report counts every part.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import grpc

from lienthong.client import ClientCredentials, TokenSource, connect
from lienthong.common.v1 import date_pb2
from lienthong.documents.v1 import documents_pb2 as doc_pb
from lienthong.documents.v1 import documents_pb2_grpc
from lienthong.dossiers.v1 import dossiers_pb2 as pb
from lienthong.dossiers.v1 import dossiers_pb2_grpc
from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc
from lienthong.payment.v1 import payment_pb2, payment_pb2_grpc

DOSSIER_SCOPES = (
    "dossiers.procedures.read",
    "dossiers.procedures.write",
    "dossiers.dossiers.process",
    "dossiers.parts.officer",
    "dossiers.reports.read",
)
DOC_SCOPES = ("documents.directory.read", "documents.policy.write", "documents.send", "documents.read")
PAY_SCOPES = ("payment.payments.write", "payment.payments.read")
FEE = 50_000
CERTIFICATE = b"%PDF-1.4 giay chung sinh (demo)"


@dataclass
class DossierJourneyResult:
    dossier: pb.Dossier
    report: list[pb.OnTimeRow]
    notice: str
    #: The birth certificate the citizen uploaded, as the civil-status agency read it back.
    attachment: bytes = b""


async def _eventually(check: Callable[[], Awaitable[object]], what: str, timeout: float = 30.0) -> object:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := await check()):
        assert asyncio.get_running_loop().time() < deadline, f"{what} did not happen in time"
        await asyncio.sleep(0.2)
    return result


def _tokens(public: grpc.aio.Channel, client_id: str, secret: str, scopes: tuple[str, ...]) -> TokenSource:
    return TokenSource.from_client_credentials(public, ClientCredentials(client_id, secret, scopes=scopes))


async def _register(directory: documents_pb2_grpc.DocumentsServiceStub, agency_id: str, name: str) -> str:
    code = f"000.{uuid.uuid4().int % 100:02d}.{uuid.uuid4().int % 100:02d}.G{uuid.uuid4().int % 90 + 10:02d}"
    await directory.RegisterAgency(
        doc_pb.RegisterAgencyRequest(agency_id=agency_id, code=code, display_name=name)
    )
    return code


async def _send_result(stub: documents_pb2_grpc.DocumentsServiceStub, to_code: str, title: str) -> str:
    async def parts():  # type: ignore[no-untyped-def]
        yield doc_pb.UploadAttachmentRequest(
            header=doc_pb.AttachmentHeader(file_name="ket-qua.pdf", content_type="application/pdf")
        )
        yield doc_pb.UploadAttachmentRequest(chunk=b"%PDF-1.4 ket qua giai quyet thu tuc hanh chinh")

    attachment = (await stub.UploadAttachment(parts())).attachment
    sent = await stub.SendDocument(
        doc_pb.SendDocumentRequest(
            idempotency_key=uuid.uuid4().hex,
            metadata=doc_pb.DocumentMetadata(
                number_symbol=f"{uuid.uuid4().int % 900 + 100}/GKS",
                document_type="Giấy chứng nhận",
                issue_place="Hà Nội",
                issue_date=date_pb2.Date(year=2026, month=12, day=5),
                summary=title,
                signer_name="Người ký demo",
                signer_title="Trưởng phòng",
                urgency=doc_pb.URGENCY_NORMAL,
                confidentiality=doc_pb.CONFIDENTIALITY_NORMAL,
            ),
            recipient_codes=[to_code],
            attachment_ids=[attachment.attachment_id],
        )
    )
    return sent.document.document_id


async def run_dossier_journey(
    gateway: str, credentials: dict[str, str], read_mail: Callable[[str], Awaitable[str | None]]
) -> DossierJourneyResult:
    email = f"cong-dan-{uuid.uuid4().hex[:8]}@example.vn"
    personal_id = f"001303{uuid.uuid4().int % 1_000_000:06d}"
    password = f"Mật-khẩu-{uuid.uuid4().hex[:10]}"
    scopes = (*DOSSIER_SCOPES, *DOC_SCOPES)
    async with connect(gateway) as public:
        admin = _tokens(
            public,
            credentials["admin_client_id"],
            credentials["admin_client_secret"],
            (
                "identity.agencies.admin",
                "documents.directory.admin",
                "dossiers.reports.read",
                "platform.admin",
            ),
        )
        agencies: dict[str, TokenSource] = {}
        codes: dict[str, str] = {}
        ids: dict[str, str] = {"civil": credentials["agency_id"]}
        async with connect(gateway, token_source=admin) as channel:
            identity = identity_pb2_grpc.IdentityServiceStub(channel)
            directory = documents_pb2_grpc.DocumentsServiceStub(channel)
            for key, name in (("police", "Công an xã (demo)"), ("insurance", "Bảo hiểm xã hội (demo)")):
                created = await identity.CreateAgency(
                    identity_pb2.CreateAgencyRequest(
                        display_name=name,
                        kind=identity_pb2.AGENCY_KIND_OTHER,
                        allowed_scopes=scopes,
                        initial_client_scopes=scopes,
                    )
                )
                ids[key] = created.agency.id
                agencies[key] = _tokens(
                    public, created.initial_client.client_id, created.initial_client_secret, scopes
                )
                codes[key] = await _register(directory, created.agency.id, name)
            agencies["civil"] = _tokens(
                public, credentials["client_id"], credentials["client_secret"], (*scopes, *PAY_SCOPES)
            )
            async with connect(gateway, token_source=agencies["civil"]) as mine:
                try:  # the demo province joins the document directory once
                    await documents_pb2_grpc.DocumentsServiceStub(mine).SetReceivePolicy(
                        doc_pb.SetReceivePolicyRequest()
                    )
                except grpc.aio.AioRpcError as error:
                    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error
                    await _register(directory, ids["civil"], "UBND Thành phố Hà Nội (demo)")

        citizen_api = identity_pb2_grpc.IdentityServiceStub(public)
        await citizen_api.RegisterCitizen(
            identity_pb2.RegisterCitizenRequest(personal_id=personal_id, password=password, email=email)
        )
        login = await citizen_api.Login(identity_pb2.LoginRequest(personal_id=personal_id, password=password))
        me = (("authorization", f"Bearer {login.access_token}"),)

        async with (
            connect(gateway, token_source=agencies["civil"]) as civil_ch,
            connect(gateway, token_source=agencies["police"]) as police_ch,
            connect(gateway, token_source=agencies["insurance"]) as insurance_ch,
            connect(gateway, token_source=admin) as admin_ch,
        ):
            stubs = {
                "civil": dossiers_pb2_grpc.DossiersServiceStub(civil_ch),
                "police": dossiers_pb2_grpc.DossiersServiceStub(police_ch),
                "insurance": dossiers_pb2_grpc.DossiersServiceStub(insurance_ch),
            }
            docs = {
                "police": documents_pb2_grpc.DocumentsServiceStub(police_ch),
                "insurance": documents_pb2_grpc.DocumentsServiceStub(insurance_ch),
                "civil": documents_pb2_grpc.DocumentsServiceStub(civil_ch),
            }
            code = f"LT-{uuid.uuid4().hex[:8].upper()}"
            await stubs["civil"].CreateProcedure(
                pb.CreateProcedureRequest(
                    code=code,
                    spec=pb.ProcedureSpec(
                        name="Liên thông đăng ký khai sinh, thường trú, cấp thẻ BHYT cho trẻ dưới 6 tuổi",
                        level=pb.AGENCY_LEVEL_PROVINCE,
                        province_code="01",
                        components=[
                            pb.Component(
                                name="child_name",
                                label="Họ tên trẻ",
                                kind=pb.COMPONENT_KIND_TEXT,
                                required=True,
                            ),
                            pb.Component(
                                name="birth_date",
                                label="Ngày sinh",
                                kind=pb.COMPONENT_KIND_DATE,
                                required=True,
                            ),
                            pb.Component(
                                name="residence_proof", label="Xác nhận cư trú", kind=pb.COMPONENT_KIND_TEXT
                            ),
                            pb.Component(
                                name="birth_certificate",
                                label="Giấy chứng sinh",
                                kind=pb.COMPONENT_KIND_ATTACHMENT,
                            ),
                        ],
                        parts=[
                            pb.ProcedurePart(
                                agency_id=ids["civil"], title="Đăng ký khai sinh", processing_working_days=3
                            ),
                            pb.ProcedurePart(
                                agency_id=ids["police"], title="Đăng ký thường trú", processing_working_days=7
                            ),
                            pb.ProcedurePart(
                                agency_id=ids["insurance"], title="Cấp thẻ BHYT", processing_working_days=5
                            ),
                        ],
                        fee_vnd=FEE,
                        fee_before_processing=True,
                        electronic_result=True,
                    ),
                )
            )
            async with connect(gateway) as citizen_ch:
                citizen = dossiers_pb2_grpc.DossiersServiceStub(citizen_ch)

                async def scan():  # type: ignore[no-untyped-def]
                    yield pb.UploadDossierAttachmentRequest(
                        header=pb.DossierAttachmentHeader(
                            file_name="giay-chung-sinh.pdf", content_type="application/pdf"
                        )
                    )
                    yield pb.UploadDossierAttachmentRequest(chunk=CERTIFICATE)

                uploaded = (await citizen.UploadDossierAttachment(scan(), metadata=me)).attachment
                filed = (
                    await citizen.FileDossier(
                        pb.FileDossierRequest(
                            procedure_code=code,
                            form={
                                "child_name": "Nguyễn Minh Khang",
                                "birth_date": "2026-11-30",
                                "birth_certificate": uploaded.attachment_id,
                            },
                            idempotency_key=uuid.uuid4().hex,
                        ),
                        metadata=me,
                    )
                ).dossier
                assert filed.state == pb.DOSSIER_STATE_AWAITING_PAYMENT
                # The competent agency collects the fee under the dossier's payment reference.
                payments = payment_pb2_grpc.PaymentServiceStub(civil_ch)
                created = await payments.CreatePayment(
                    payment_pb2.CreatePaymentRequest(
                        amount_vnd=FEE,
                        description=f"Lệ phí hồ sơ {filed.code}",
                        reference=filed.payment_reference,
                        return_url="https://dichvucong.gov.vn/thanh-toan/ket-qua",
                        idempotency_key=f"fee-{filed.id}",
                        provider=payment_pb2.PAYMENT_PROVIDER_SANDBOX,
                    )
                )
                await payments.StartPayment(
                    payment_pb2.StartPaymentRequest(
                        payment_id=created.payment.id, sandbox_scenario=payment_pb2.SANDBOX_SCENARIO_SUCCESS
                    )
                )

                async def paid() -> bool:
                    got = await citizen.GetMyDossier(pb.GetMyDossierRequest(dossier_id=filed.id), metadata=me)
                    return got.dossier.fee_paid

                await _eventually(paid, "the fee payment reaching dossiers")
                read_back = b"".join(
                    [
                        m.chunk
                        async for m in stubs["civil"].GetDossierAttachment(
                            pb.GetDossierAttachmentRequest(
                                dossier_id=filed.id, attachment_id=uploaded.attachment_id
                            )
                        )
                    ]
                )
                for key, stub in stubs.items():
                    await stub.AssignDossier(
                        pb.AssignDossierRequest(dossier_id=filed.id, officer_id=f"cb-{key}")
                    )
                await stubs["police"].RequestSupplement(
                    pb.RequestSupplementRequest(
                        dossier_id=filed.id, reason="Bổ sung xác nhận thông tin cư trú"
                    )
                )
                await citizen.SupplyDossier(
                    pb.SupplyDossierRequest(dossier_id=filed.id, form={"residence_proof": "XN-2026-0042"}),
                    metadata=me,
                )
                # Each agency sends its signed result through the documents block (here to another agency of the
                # chain), then returns it on the dossier by its document id.
                for key, to in (
                    ("civil", codes["police"]),
                    ("police", codes["insurance"]),
                    ("insurance", codes["police"]),
                ):
                    document_id = await _send_result(docs[key], to, f"Kết quả hồ sơ {filed.code}")
                    await stubs[key].ApproveDossier(pb.ApproveDossierRequest(dossier_id=filed.id))

                    async def returned(key: str = key, document_id: str = document_id) -> bool:
                        try:
                            await stubs[key].ReturnResult(
                                pb.ReturnResultRequest(dossier_id=filed.id, result_document_id=document_id)
                            )
                        except grpc.aio.AioRpcError as error:  # documents' DocumentSent still on its way
                            assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error
                            return False
                        return True

                    await _eventually(returned, "documents' DocumentSent reaching dossiers")
                final = (
                    await citizen.GetMyDossier(pb.GetMyDossierRequest(dossier_id=filed.id), metadata=me)
                ).dossier
            today = datetime.now(timezone(timedelta(hours=7))).date()
            day = date_pb2.Date(year=today.year, month=today.month, day=today.day)
            report = await dossiers_pb2_grpc.DossiersServiceStub(admin_ch).GetOnTimeReport(
                pb.GetOnTimeReportRequest(start_date=day, end_date=day, procedure_code=code, include_csv=True)
            )

        async def result_notice() -> str | None:
            text = await read_mail(email)
            return text if text and filed.code in text else None

        notice = str(await _eventually(result_notice, "the citizen's notice e-mail"))
    return DossierJourneyResult(final, list(report.rows), notice, read_back)
