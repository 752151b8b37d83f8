"""The document journey, through the gateway with the generated client only: a province sends a signed decision
("hỏa tốc") to a ministry; the ministry's system receives it from its inbox feed, acknowledges it, registers,
assigns and completes it; the province sees "completed" with the history; notify e-mailed the ministry.
"""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata

from lienthong.client import ClientCredentials, TokenSource, connect
from lienthong.common.v1 import date_pb2
from lienthong.documents.v1 import documents_pb2 as pb
from lienthong.documents.v1 import documents_pb2_grpc
from lienthong.identity.v1 import identity_pb2, identity_pb2_grpc

DOC_SCOPES = (
    "documents.directory.read",
    "documents.policy.write",
    "documents.send",
    "documents.read",
    "documents.process",
)


@dataclass
class DocumentJourneyResult:
    document_id: str
    signature: pb.SignatureCheck
    history: list[int]
    alert: str


async def signed_decision(signer_pem: Path) -> bytes:
    """A one-page PDF signed with pyHanko by the key and certificate in ``signer_pem``."""
    writer = PdfFileWriter()
    content = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 720 Td (Quyet dinh 15/QD-UBND) Tj ET")
    page = PageObject(
        contents=writer.add_object(content),
        media_box=generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
    )
    writer.insert_page(page)
    plain = io.BytesIO()
    writer.write(plain)
    signer = signers.SimpleSigner.load(str(signer_pem), str(signer_pem))
    assert signer is not None
    out = await signers.async_sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(plain.getvalue())),
        PdfSignatureMetadata(field_name="ChuKy"),
        signer=signer,
    )
    return out.getvalue()


def _tokens(public: grpc.aio.Channel, client_id: str, secret: str, scopes: tuple[str, ...]) -> TokenSource:
    return TokenSource.from_client_credentials(public, ClientCredentials(client_id, secret, scopes=scopes))


async def run_document_journey(
    gateway: str,
    credentials: dict[str, str],
    signer_pem: Path,
    read_mail: Callable[[str], Awaitable[str | None]],
) -> DocumentJourneyResult:
    ministry_mail = f"van-thu-{uuid.uuid4().hex[:8]}@bonoivu.example.vn"
    async with connect(gateway) as public:
        admin = _tokens(
            public,
            credentials["admin_client_id"],
            credentials["admin_client_secret"],
            ("identity.agencies.admin", "documents.directory.admin"),
        )
        province = _tokens(public, credentials["client_id"], credentials["client_secret"], DOC_SCOPES)
        async with connect(gateway, token_source=admin) as channel:
            created = await identity_pb2_grpc.IdentityServiceStub(channel).CreateAgency(
                identity_pb2.CreateAgencyRequest(
                    display_name="Bộ Nội vụ (demo)",
                    kind=identity_pb2.AGENCY_KIND_MINISTRY,
                    allowed_scopes=DOC_SCOPES,
                    initial_client_scopes=DOC_SCOPES,
                )
            )
            directory = documents_pb2_grpc.DocumentsServiceStub(channel)
            ministry_code = f"000.00.{uuid.uuid4().int % 100:02d}.G{uuid.uuid4().int % 90 + 10:02d}"
            await directory.RegisterAgency(
                pb.RegisterAgencyRequest(
                    agency_id=created.agency.id,
                    code=ministry_code,
                    display_name="Bộ Nội vụ (demo)",
                    notification_email=ministry_mail,
                )
            )
            async with connect(gateway, token_source=province) as mine:
                try:  # the demo province joins the directory once
                    await documents_pb2_grpc.DocumentsServiceStub(mine).SetReceivePolicy(
                        pb.SetReceivePolicyRequest()
                    )
                except grpc.aio.AioRpcError as error:
                    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error
                    await directory.RegisterAgency(
                        pb.RegisterAgencyRequest(
                            agency_id=credentials["agency_id"],
                            code=f"000.00.{uuid.uuid4().int % 100:02d}.H01",
                            display_name="UBND Thành phố Hà Nội (demo)",
                            province_code="01",
                        )
                    )
        ministry = _tokens(
            public, created.initial_client.client_id, created.initial_client_secret, DOC_SCOPES
        )
        async with (
            connect(gateway, token_source=province) as p_channel,
            connect(gateway, token_source=ministry) as m_channel,
        ):
            sender = documents_pb2_grpc.DocumentsServiceStub(p_channel)
            receiver = documents_pb2_grpc.DocumentsServiceStub(m_channel)
            feed = receiver.SubscribeInbox(pb.SubscribeInboxRequest())
            pdf = await signed_decision(signer_pem)

            async def parts():  # type: ignore[no-untyped-def]
                yield pb.UploadAttachmentRequest(
                    header=pb.AttachmentHeader(file_name="15-QD-UBND.pdf", content_type="application/pdf")
                )
                yield pb.UploadAttachmentRequest(chunk=pdf)

            attachment = (await sender.UploadAttachment(parts())).attachment
            sent = (
                await sender.SendDocument(
                    pb.SendDocumentRequest(
                        idempotency_key=uuid.uuid4().hex,
                        metadata=pb.DocumentMetadata(
                            number_symbol="15/QĐ-UBND",
                            document_type="Quyết định",
                            issue_place="Hà Nội",
                            issue_date=date_pb2.Date(year=2026, month=12, day=5),
                            summary="Về việc giao chỉ tiêu chuyển đổi số năm 2027",
                            signer_name="Người ký demo",
                            signer_title="Chủ tịch",
                            urgency=pb.URGENCY_EXPRESS,
                            confidentiality=pb.CONFIDENTIALITY_NORMAL,
                        ),
                        recipient_codes=[ministry_code],
                        attachment_ids=[attachment.attachment_id],
                    )
                )
            ).document
            arrived = await asyncio.wait_for(feed.read(), timeout=30)
            feed.cancel()
            assert arrived.document.document_id == sent.document_id
            await receiver.AcknowledgeReceipt(pb.AcknowledgeReceiptRequest(document_id=sent.document_id))
            for status in (
                pb.PROCESSING_STATUS_RECEIVED,
                pb.PROCESSING_STATUS_ASSIGNED,
                pb.PROCESSING_STATUS_PROCESSING,
                pb.PROCESSING_STATUS_COMPLETED,
            ):
                await receiver.ReportStatus(
                    pb.ReportStatusRequest(document_id=sent.document_id, status=status)
                )
            status = await sender.GetDocumentStatus(pb.GetDocumentStatusRequest(document_id=sent.document_id))
            [recipient] = status.recipients
            assert recipient.recipient.status == pb.PROCESSING_STATUS_COMPLETED
        alert = await _eventually(lambda: read_mail(ministry_mail))
    return DocumentJourneyResult(
        sent.document_id,
        arrived.document.attachments[0].signature,
        [h.status for h in recipient.history],
        alert,
    )


async def _eventually(check: Callable[[], Awaitable[str | None]], timeout: float = 30.0) -> str:
    deadline = asyncio.get_running_loop().time() + timeout
    while (result := await check()) is None:
        assert asyncio.get_running_loop().time() < deadline, "the urgent-document e-mail did not arrive"
        await asyncio.sleep(0.2)
    return result
