"""Templates: ``((name))`` placeholders and ``((flag??text))`` conditional text, rendered from a personalisation.

A conditional block is shown when the value of ``flag`` is "yes" or "true" (any case); its text may contain
placeholders of its own. The personalisation must name every placeholder of the template (conditional flags
included) and nothing else; :func:`check_personalisation` lists the offending names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lienthong_runtime import validation

from .channels import Channel

NAME = re.compile(r"^[\w .-]{1,100}$")
TRUE_VALUES = frozenset({"yes", "true"})
MAX_BODY = {Channel.EMAIL: 10_000, Channel.SMS: 918}
MAX_SUBJECT = 500


@dataclass(frozen=True)
class TemplateVersion:
    """One version of an agency's template (versions are immutable; an update adds one)."""

    id: str
    agency_id: str
    channel: Channel
    name: str
    subject: str
    body: str
    version: int
    create_time: datetime
    update_time: datetime
    placeholders: tuple[str, ...] = field(default=())


Token = str | tuple[str, "str | None"]


def _tokens(text: str) -> list[Token]:
    """Literal text and (name, conditional text or None) for each ``((...))``, honouring nesting."""
    out: list[Token] = []
    i = 0
    while (start := text.find("((", i)) >= 0:
        depth, k, end = 0, start + 2, -1
        while k < len(text):
            if text.startswith("((", k):
                depth, k = depth + 1, k + 2
            elif text.startswith("))", k):
                if depth == 0:
                    end = k
                    break
                depth, k = depth - 1, k + 2
            else:
                k += 1
        if end < 0:
            break
        out.append(text[i:start])
        name, sep, conditional = text[start + 2 : end].partition("??")
        out.append((name.strip(), conditional if sep else None))
        i = end + 2
    out.append(text[i:])
    return out


def _names(text: str) -> set[str]:
    names: set[str] = set()
    for token in _tokens(text):
        if isinstance(token, tuple):
            names.add(token[0])
            if token[1] is not None:
                names |= _names(token[1])
    return names


def placeholders(subject: str, body: str) -> tuple[str, ...]:
    """Sorted names a template uses, including conditional flags and placeholders inside conditional text."""
    return tuple(sorted(_names(subject) | _names(body)))


def template_problems(channel: Channel, name: str, subject: str, body: str) -> list[tuple[str, str]]:
    """(field, description) for every rule the template content breaks; empty when it is valid."""
    problems: list[tuple[str, str]] = []
    for which, value, rule in (
        ("name", name, {"max_length": 100, "required": True}),
        ("subject", subject, {"max_length": MAX_SUBJECT}),
        ("body", body, {"max_length": MAX_BODY[channel], "multiline": True}),
    ):
        bad = validation.problem(which, validation.plain_text, value, **rule)
        if bad is not None:
            problems.append((bad.field, bad.description))
    if channel is Channel.EMAIL and not subject.strip():
        problems.append(("subject", "is required for an e-mail template"))
    if channel is Channel.SMS and subject:
        problems.append(("subject", "must be empty for an SMS template"))
    if not body.strip():
        problems.append(("body", "is required"))
    for used in placeholders(subject, body):
        if not NAME.match(used):
            problems.append(("body", f"placeholder name {used!r} is not valid"))
    return problems


def check_personalisation(used: tuple[str, ...], given: Mapping[str, str]) -> list[tuple[str, str]]:
    """(name, description) per missing or unexpected personalisation value; empty when they match."""
    missing = [(n, "missing personalisation value") for n in used if n not in given]
    unexpected = [(n, "not a placeholder of this template") for n in sorted(given) if n not in used]
    return missing + unexpected


def _render(text: str, values: Mapping[str, str]) -> str:
    parts = []
    for token in _tokens(text):
        if isinstance(token, str):
            parts.append(token)
        elif token[1] is None:
            parts.append(values.get(token[0], ""))
        elif values.get(token[0], "").strip().lower() in TRUE_VALUES:
            parts.append(_render(token[1], values))
    return "".join(parts)


def render(template: TemplateVersion, values: Mapping[str, str]) -> tuple[str, str]:
    """Rendered (subject, body); call :func:`check_personalisation` first."""
    return _render(template.subject, values).strip(), _render(template.body, values)


def next_version(t: TemplateVersion, name: str, subject: str, body: str, now: datetime) -> TemplateVersion:
    """The version after ``t`` with new content (the channel never changes)."""
    return TemplateVersion(
        id=t.id,
        agency_id=t.agency_id,
        channel=t.channel,
        name=name,
        subject=subject,
        body=body,
        version=t.version + 1,
        create_time=t.create_time,
        update_time=now,
        placeholders=placeholders(subject, body),
    )
