"""A throwaway PKI for tests: a root CA, a signer certificate it issues, and PDFs signed with pyHanko."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
from pyhanko_certvalidator.registry import SimpleCertificateStore


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    )


def _cert(subject: str, key, issuer: str, issuer_key, *, ca: bool) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class Pki:
    root: x509.Certificate
    signer_cert: x509.Certificate
    signer_key: ec.EllipticCurvePrivateKey

    @classmethod
    def create(cls, name: str = "Bộ Test Root CA") -> Pki:
        root_key = ec.generate_private_key(ec.SECP256R1())
        root = _cert(name, root_key, name, root_key, ca=True)
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = _cert("Nguyễn Văn A", key, name, root_key, ca=False)
        return cls(root, leaf, key)

    def write_root(self, folder: Path) -> str:
        path = folder / "trust-root.pem"
        path.write_bytes(self.root.public_bytes(serialization.Encoding.PEM))
        return str(path)

    async def sign(self, pdf: bytes) -> bytes:
        signer = signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(
                self.signer_cert.public_bytes(serialization.Encoding.DER)
            ),
            signing_key=asn1_keys.PrivateKeyInfo.load(
                self.signer_key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            cert_registry=SimpleCertificateStore.from_certs(
                [asn1_x509.Certificate.load(self.root.public_bytes(serialization.Encoding.DER))]
            ),
        )
        out = await signers.async_sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf)),
            PdfSignatureMetadata(field_name="Signature1"),
            signer=signer,
        )
        return out.getvalue()


def plain_pdf(text: str = "Quyết định", padding: int = 0) -> bytes:
    """A one-page PDF; ``padding`` bytes of a comment-like stream make it as large as a test needs."""
    writer = PdfFileWriter()
    content = generic.StreamObject(
        stream_data=b"BT /F1 12 Tf 72 720 Td (" + text.encode("ascii", "replace") + b") Tj ET"
    )
    page = PageObject(
        contents=writer.add_object(content),
        media_box=generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
    )
    writer.insert_page(page)
    if padding:
        writer.add_object(generic.StreamObject(stream_data=b"%" * padding))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def tamper(pdf: bytes) -> bytes:
    """Change one byte of the signed content (the page text), keeping the file's structure."""
    index = pdf.index(b"Tj ET")
    return pdf[: index - 2] + bytes([pdf[index - 2] ^ 0x01]) + pdf[index - 1 :]
