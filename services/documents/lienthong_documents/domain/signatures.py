"""The outcome of verifying an attachment's signatures, and the receive policy that may refuse a document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lienthong_runtime.errors import FailedPrecondition


class SignatureState(StrEnum):
    NOT_APPLICABLE = "NOT_APPLICABLE"
    UNSIGNED = "UNSIGNED"
    VALID = "VALID"
    INVALID = "INVALID"


@dataclass(frozen=True)
class SignatureCheck:
    state: SignatureState
    signer: str = ""
    certificate_subject: str = ""
    certificate_issuer: str = ""
    certificate_serial: str = ""
    certificate_sha256: str = ""
    signing_time: datetime | None = None
    problem: str = ""
    signature_count: int = 0


NOT_APPLICABLE = SignatureCheck(SignatureState.NOT_APPLICABLE)


@dataclass(frozen=True)
class ReceivePolicy:
    refuse_unsigned: bool = False
    refuse_invalid_signature: bool = False

    def check(self, code: str, checks: list[SignatureCheck]) -> None:
        """FAILED_PRECONDITION when the recipient ``code`` refuses what ``checks`` say of the attachments."""
        states = {c.state for c in checks}
        if self.refuse_invalid_signature and SignatureState.INVALID in states:
            raise FailedPrecondition(
                f"recipient {code} refuses documents with an invalid signature",
                reason="RECIPIENT_REFUSES_INVALID_SIGNATURE",
                metadata={"recipient_code": code},
            )
        if self.refuse_unsigned and SignatureState.VALID not in states:
            raise FailedPrecondition(
                f"recipient {code} refuses documents without a valid signed PDF",
                reason="RECIPIENT_REFUSES_UNSIGNED",
                metadata={"recipient_code": code},
            )
