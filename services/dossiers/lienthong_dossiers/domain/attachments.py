"""A citizen's uploaded files for the ATTACHMENT components of a form: who may use them and what they are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lienthong_runtime.errors import FieldViolation, InvalidArgument, invalid

from .procedures import Kind, Spec

MAX_NAME = 255


@dataclass(frozen=True)
class Attachment:
    id: str
    file_name: str
    content_type: str
    size: int
    sha256: str


def check_header(file_name: str, content_type: str) -> tuple[str, str]:
    """The file name (no path separators) and media type of an upload, or INVALID_ARGUMENT."""
    name = file_name.strip().replace("/", "_").replace("\\", "_")
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise invalid("header.file_name", f"is required, at most {MAX_NAME} printable characters")
    kind = content_type.strip().lower() or "application/octet-stream"
    if len(kind) > 100 or "/" not in kind or any(ord(c) < 33 for c in kind):
        raise invalid("header.content_type", "is a media type such as application/pdf")
    return name, kind


def attachment_values(spec: Spec, form: Mapping[str, str]) -> dict[str, str]:
    """Component name -> attachment id, for the ATTACHMENT components the form fills."""
    kinds = {c.name: c.kind for c in spec.components}
    return {name: value for name, value in form.items() if kinds.get(name) is Kind.ATTACHMENT and value}


def refuse_unowned(values: Mapping[str, str], owned: set[str]) -> None:
    """INVALID_ARGUMENT (ATTACHMENT_NOT_FOUND) naming each component whose id is not one the citizen uploaded: the
    same answer for a made-up id and another citizen's, so an id reveals nothing."""
    bad = [name for name, value in values.items() if value not in owned]
    if bad:
        raise InvalidArgument(
            "an attachment of the form is not a file you uploaded (UploadDossierAttachment)",
            reason="ATTACHMENT_NOT_FOUND",
            field_violations=[
                FieldViolation(f"form[{n}]", "is not the id of a file you uploaded") for n in sorted(bad)
            ],
        )
