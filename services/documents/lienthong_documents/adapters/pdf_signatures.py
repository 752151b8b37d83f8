"""Verification of signed PDFs with pyHanko against the configured trust list.

A PDF is VALID when it has at least one signature, every signature is intact (the signed bytes hash to the
signed digest), cryptographically valid and made by a certificate that chains to a trust anchor, and the last
signature covers the whole file (nothing was appended after it). No network fetching: revocation information
is not fetched from the certificate's URLs (the platform reaches no outside service); see the README.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import IO, Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from ..domain.signatures import SignatureCheck, SignatureState

log = logging.getLogger("lienthong.documents.signatures")


def load_trust_roots(paths: list[str]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM or DER files (a PEM file may hold several)."""
    roots: list[asn1_x509.Certificate] = []
    for path in paths:
        data = Path(path).read_bytes()
        if pem.detect(data):
            roots.extend(asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True))
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots


def _name(name: Any) -> str:
    return str(name.human_friendly)


class PdfVerifier:
    """Blocking (run it in a worker thread): reads the file through ``stream`` only."""

    def __init__(self, trust_roots: list[asn1_x509.Certificate]) -> None:
        self.trust_roots = trust_roots

    def _context(self) -> ValidationContext:
        return ValidationContext(
            trust_roots=self.trust_roots, allow_fetching=False, revocation_mode="soft-fail"
        )

    def verify(self, stream: IO[bytes]) -> SignatureCheck:
        try:
            reader = PdfFileReader(stream, strict=False)
            signatures = reader.embedded_signatures
        except Exception as exc:  # a corrupt file is a finding about the document, not a server fault
            log.info("PDF unreadable for signature verification", extra={"error": type(exc).__name__})
            return SignatureCheck(SignatureState.INVALID, problem="the PDF cannot be parsed")
        if not signatures:
            return SignatureCheck(SignatureState.UNSIGNED)
        first: SignatureCheck | None = None
        for index, embedded in enumerate(signatures):
            last = index == len(signatures) - 1
            check = self._one(embedded, last, len(signatures))
            if check.state is SignatureState.INVALID:
                return check
            first = first or check
        assert first is not None
        return first

    def _one(self, embedded: Any, last: bool, count: int) -> SignatureCheck:
        try:
            status = validate_pdf_signature(embedded, self._context())
        except Exception as exc:
            return SignatureCheck(
                SignatureState.INVALID,
                problem=f"signature cannot be validated ({type(exc).__name__})",
                signature_count=count,
            )
        cert = status.signing_cert
        details: dict[str, Any] = {"signature_count": count, "signing_time": status.signer_reported_dt}
        if cert is not None:
            details.update(
                signer=str(cert.subject.native.get("common_name", "")),
                certificate_subject=_name(cert.subject),
                certificate_issuer=_name(cert.issuer),
                certificate_serial=format(cert.serial_number, "x"),
                certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
            )
        problem = ""
        if not status.intact:
            problem = "the signed content was modified"
        elif not status.valid:
            problem = "the signature does not verify"
        elif not status.trusted:
            problem = "the certificate does not chain to the trust list"
        elif last and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            problem = "content was added after the last signature"
        state = SignatureState.INVALID if problem else SignatureState.VALID
        return SignatureCheck(state, problem=problem, **details)
