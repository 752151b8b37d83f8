"""Create, update, read, list and preview an agency's templates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from lienthong_runtime.errors import Aborted, AlreadyExists, FieldViolation, InvalidArgument, NotFound
from lienthong_runtime.ids import new_id

from ..domain.channels import Channel
from ..domain.sms import SmsSegments, count_segments
from ..domain.templates import (
    TemplateVersion,
    check_personalisation,
    next_version,
    placeholders,
    render,
    template_problems,
)
from .ports import Caller, Conflict, NotifyUnitOfWork


def _check(channel: Channel, name: str, subject: str, body: str) -> None:
    problems = template_problems(channel, name, subject, body)
    if problems:
        raise InvalidArgument(
            "the template is not valid",
            reason="INVALID_TEMPLATE",
            field_violations=[FieldViolation(f, d) for f, d in problems],
        )


def _name_taken() -> AlreadyExists:
    return AlreadyExists(
        "the agency already has a template with this name on this channel",
        reason="TEMPLATE_NAME_TAKEN",
        field_violations=[FieldViolation("name", "already used")],
    )


async def create(
    uow: NotifyUnitOfWork,
    caller: Caller,
    *,
    channel: Channel,
    name: str,
    subject: str,
    body: str,
    now: datetime,
) -> TemplateVersion:
    """Version 1 of a new template. Idempotent by content for the same agency: a retry of a create that
    committed (same channel, name, subject and body) gets that template's version 1, not TEMPLATE_NAME_TAKEN."""
    _check(channel, name, subject, body)
    template = TemplateVersion(
        id=new_id(),
        agency_id=caller.agency_id,
        channel=channel,
        name=name,
        subject=subject,
        body=body,
        version=1,
        create_time=now,
        update_time=now,
        placeholders=placeholders(subject, body),
    )
    try:
        async with uow:
            await uow.templates.add(template)
    except Conflict:
        async with uow:
            existing = await uow.templates.find_by_name(caller.agency_id, channel, name)
            first = await uow.templates.get(caller.agency_id, existing.id, version=1) if existing else None
        if first is not None and (first.subject, first.body) == (subject, body):
            return first  # the caller's own create, retried
        raise _name_taken() from None
    return template


async def update(
    uow: NotifyUnitOfWork,
    caller: Caller,
    *,
    template_id: str,
    expected_version: int,
    name: str,
    subject: str,
    body: str,
    now: datetime,
) -> TemplateVersion:
    """A new version, if ``expected_version`` is still the latest."""
    if expected_version < 1:
        raise InvalidArgument(
            "expected_version is required",
            field_violations=[
                FieldViolation("expected_version", "must be the version the update is based on")
            ],
        )
    agency_id = caller.agency_id
    try:
        async with uow:
            current = await uow.templates.get(agency_id, template_id)
            if current is None:
                raise NotFound("no such template", reason="TEMPLATE_NOT_FOUND")
            if current.version != expected_version:
                raise Aborted(
                    "the template changed since that version",
                    reason="VERSION_MISMATCH",
                    metadata={"current_version": str(current.version)},
                )
            _check(current.channel, name, subject, body)
            updated = next_version(current, name, subject, body, now)
            if not await uow.templates.bump(agency_id, template_id, expected_version, name):
                raise Aborted("the template changed since that version", reason="VERSION_MISMATCH")
            await uow.templates.add_version(updated)
    except Conflict:
        raise _name_taken() from None
    return updated


async def get(
    uow: NotifyUnitOfWork, caller: Caller, *, template_id: str, version: int = 0
) -> TemplateVersion:
    """A version of the agency's template; NOT_FOUND for unknown ids and for other agencies' templates."""
    if version < 0:
        raise InvalidArgument("bad version", field_violations=[FieldViolation("version", "must be >= 0")])
    async with uow:
        template = await uow.templates.get(caller.agency_id, template_id, version)
    if template is None:
        raise NotFound("no such template or version", reason="TEMPLATE_NOT_FOUND")
    return template


async def list_page(
    uow: NotifyUnitOfWork,
    caller: Caller,
    *,
    channel: Channel | None,
    after: tuple[str, str] | None,
    limit: int,
) -> list[TemplateVersion]:
    """Latest versions of the agency's templates ordered by (name, id), after the keyset ``after``."""
    async with uow:
        return await uow.templates.list_latest(caller.agency_id, channel, after, limit)


def personalisation_error(
    problems: list[tuple[str, str]], prefix: str = "personalisation"
) -> InvalidArgument:
    names = ", ".join(name for name, _ in problems)
    return InvalidArgument(
        f"personalisation does not match the template: {names}",
        reason="PERSONALISATION_MISMATCH",
        field_violations=[FieldViolation(f"{prefix}.{n}", d) for n, d in problems],
    )


def rendered(template: TemplateVersion, values: Mapping[str, str]) -> tuple[str, str, SmsSegments | None]:
    """Subject, body and (SMS) segments, or INVALID_ARGUMENT naming each missing or unexpected value."""
    problems = check_personalisation(template.placeholders, values)
    if problems:
        raise personalisation_error(problems)
    subject, body = render(template, values)
    return subject, body, count_segments(body) if template.channel is Channel.SMS else None


async def preview(
    uow: NotifyUnitOfWork, caller: Caller, *, template_id: str, version: int, values: Mapping[str, str]
) -> tuple[str, str, SmsSegments | None]:
    return rendered(await get(uow, caller, template_id=template_id, version=version), values)
