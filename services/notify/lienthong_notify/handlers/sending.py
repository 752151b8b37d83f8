"""Accept one e-mail or SMS: validate, render, apply limits and idempotency, store and queue it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lienthong_runtime import validation
from lienthong_runtime.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    invalid,
)
from lienthong_runtime.ids import new_id

from ..domain.channels import Channel, Status
from ..domain.limits import LimitExceeded, seconds_to_midnight_utc
from ..domain.notifications import ONE_OFF, NewNotification, Notification, request_fingerprint
from ..domain.recipients import InvalidRecipient, normalise
from ..domain.templates import TemplateVersion, check_personalisation
from .ports import Deps, NotifyUnitOfWork
from .templates import personalisation_error, rendered

RECIPIENT_FIELD = {Channel.EMAIL: "email_address", Channel.SMS: "phone_number"}


@dataclass(frozen=True)
class SendCommand:
    agency_id: str
    channel: Channel
    template_id: str
    recipient: str
    personalisation: Mapping[str, str] = field(default_factory=dict)
    reference: str = ""
    idempotency_key: str = ""
    #: Sent with a test credential (``notify.test_mode``).
    test: bool = False
    #: Name of the SimulatedOutcome without prefix, "" when unspecified.
    simulated_outcome: str = ""


def check_common(reference: str, key: str, test: bool, simulated: str) -> None:
    """Rules every send shares: reference length, idempotency key, simulation only with test credentials."""
    if not key or len(key) > 200:
        raise invalid("idempotency_key", "is required (at most 200 characters)")
    validation.check("reference", validation.plain_text, reference, max_length=100)
    validation.check("idempotency_key", validation.plain_text, key, max_length=200)
    if simulated and not test:
        raise InvalidArgument(
            "simulated_outcome needs a test credential",
            reason="SIMULATION_REQUIRES_TEST_MODE",
            field_violations=[FieldViolation("simulated_outcome", "needs notify.test_mode")],
        )


def key_reused() -> FailedPrecondition:
    return FailedPrecondition(
        "the idempotency key was used for a different request",
        reason="IDEMPOTENCY_KEY_REUSED",
        field_violations=[FieldViolation("idempotency_key", "used with other parameters")],
    )


def compose(
    template: TemplateVersion,
    recipient: str,
    values: Mapping[str, str],
    *,
    reference: str,
    batch_id: str,
    test: bool,
    simulated: str,
    now: datetime,
) -> Notification:
    """A new notification rendered from ``template`` (personalisation already checked)."""
    subject, body, sms = rendered(template, values)
    return Notification(
        id=new_id(),
        agency_id=template.agency_id,
        channel=template.channel,
        template_id=template.id,
        template_version=template.version,
        recipient=recipient,
        reference=reference,
        status=Status.CREATED,
        subject=subject,
        body=body,
        sms=sms,
        batch_id=batch_id,
        test=test,
        simulated_outcome=simulated if test else "",
        attempt_count=0,
        failure_reason="",
        create_time=now,
        send_time=None,
        complete_time=None,
    )


async def load_template(
    uow: NotifyUnitOfWork, agency_id: str, template_id: str, channel: Channel | None
) -> TemplateVersion:
    template = await uow.templates.get(agency_id, template_id) if template_id else None
    if template is None:
        raise NotFound("no such template", reason="TEMPLATE_NOT_FOUND")
    if channel is not None and template.channel is not channel:
        raise InvalidArgument(
            "the template is for another channel",
            reason="TEMPLATE_CHANNEL_MISMATCH",
            field_violations=[FieldViolation("template_id", f"is not a {channel.value} template")],
        )
    return template


def take_rate(deps: Deps, agency_id: str, count: int) -> None:
    try:
        deps.limiter.take(agency_id, count)
    except LimitExceeded as exc:
        raise ResourceExhausted(str(exc), reason=exc.reason, retry_after=exc.retry_after) from None


async def count_daily(
    deps: Deps, uow: NotifyUnitOfWork, agency_id: str, channel: Channel, count: int, now: datetime
) -> None:
    """Add to today's counter (last statement of the transaction, to hold the row lock briefly)."""
    if count and not await uow.usage.add_within_cap(
        agency_id, channel.value, now.date().isoformat(), count, deps.daily_cap(channel)
    ):
        raise ResourceExhausted(
            f"the agency's daily {channel.value} cap was reached",
            reason="DAILY_CAP_REACHED",
            retry_after=seconds_to_midnight_utc(),
        )


def prepare(
    deps: Deps, template: TemplateVersion | None, cmd: SendCommand, fingerprint: str, now: datetime
) -> NewNotification:
    """Validate one send against its template and render it; raises the caller's mistakes as domain errors."""
    if template is None or template.agency_id != cmd.agency_id:
        raise NotFound("no such template", reason="TEMPLATE_NOT_FOUND")
    if template.channel is not cmd.channel:
        wrong = FieldViolation("template_id", f"is not a {cmd.channel.value} template")
        raise InvalidArgument(
            "the template is for another channel",
            reason="TEMPLATE_CHANNEL_MISMATCH",
            field_violations=[wrong],
        )
    problems = check_personalisation(template.placeholders, cmd.personalisation)
    try:
        recipient = normalise(cmd.channel, cmd.recipient)
    except InvalidRecipient as exc:
        violations = [FieldViolation(RECIPIENT_FIELD[cmd.channel], str(exc))]
        violations += [FieldViolation(f"personalisation.{n}", d) for n, d in problems]
        raise InvalidArgument(
            "the request is not valid", reason="INVALID_RECIPIENT", field_violations=violations
        ) from None
    if problems:
        raise personalisation_error(problems)
    notification = compose(
        template,
        recipient,
        cmd.personalisation,
        reference=cmd.reference,
        batch_id="",
        test=cmd.test,
        simulated=cmd.simulated_outcome,
        now=now,
    )
    return NewNotification(
        notification, cmd.idempotency_key, fingerprint, ONE_OFF, deps.retry.give_up_time(now)
    )


def fingerprint_of(cmd: SendCommand) -> str:
    return request_fingerprint(
        cmd.channel.value,
        cmd.template_id,
        cmd.recipient,
        cmd.reference,
        cmd.test,
        cmd.simulated_outcome,
        personalisation=cmd.personalisation,
    )
