"""Templates: ``((name))`` placeholders and ``((flag??text))`` conditional text, rendered from a personalisation.

A conditional block is shown when the value of ``flag`` is "yes" or "true" (any case); its text may contain
placeholders of its own. The personalisation must name every placeholder of the template (conditional flags
included) and nothing else; :func:`check_personalisation` lists the offending names.

Parentheses next to a placeholder stay literal text: ``(((reference)))`` renders as ``(REF-1)``, ``((a)))`` as
``A)`` (see :func:`_opening` and :func:`_closing` for the exact rule).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lienthong_runtime import validation

from .channels import Channel

NAME = re.compile(r"^[\w .-]{1,100}$")
TRUE_VALUES = frozenset({"yes", "true"})
MAX_BODY = {Channel.EMAIL: 10_000, Channel.SMS: 918}
MAX_SUBJECT = 500
MAX_NESTING = 10  # conditional text inside conditional text; rendering recurses once per level


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
PAREN = re.compile(r"[()]")


def _run(text: str, k: int, char: str) -> int:
    """How many ``char`` in a row from ``k``."""
    end = k
    while end < len(text) and text[end] == char:
        end += 1
    return end - k


def _opening(text: str, i: int) -> int:
    """Where the next ``((`` at or after ``i`` opens a placeholder (-1: none). It is the last two of a run of
    ``(``: the ones before are literal."""
    start = text.find("((", i)
    return start if start < 0 else start + _run(text, start, "(") - 2


def _closing(text: str, k: int) -> tuple[int, int]:
    """Index of the ``))`` that closes the placeholder whose content starts at ``k`` (-1: never closed), and how
    deeply placeholders nest in it (1: none inside).

    It is the first ``))`` that closes no nested placeholder; any ``)`` after it are literal. Except: in a run
    of more ``)`` than that, the extra ones first close the literal ``(`` the content opened, so the whole of
    ``((late?? (trễ hạn)))`` is the conditional, shown as `` (trễ hạn)`` or not at all."""
    unclosed = [0]  # literal "(" of the content not closed yet, per nesting level
    deepest = 1
    while (found := PAREN.search(text, k)) is not None:
        k = found.start()
        if text.startswith("((", k):
            run = _run(text, k, "(")
            unclosed[-1] += run - 2
            unclosed.append(0)
            deepest = max(deepest, len(unclosed))
            k += run
        elif text.startswith("))", k):
            k += min(unclosed.pop(), _run(text, k, ")") - 2)
            if not unclosed:
                return k, deepest
            k += 2
        else:
            unclosed[-1] = unclosed[-1] + 1 if text[k] == "(" else max(unclosed[-1] - 1, 0)
            k += 1
    return -1, deepest


def _spans(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, depth) of each outermost placeholder, ``text[start:end + 2]`` being its ``((...))``."""
    i = 0
    while (start := _opening(text, i)) >= 0:
        end, depth = _closing(text, start + 2)
        if end < 0:
            return  # an unclosed "((" and all after it are literal text
        yield start, end, depth
        i = end + 2


def _tokens(text: str) -> list[Token]:
    """Literal text and (name, conditional text or None) for each outermost placeholder."""
    out: list[Token] = []
    i = 0
    for start, end, _ in _spans(text):
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
    for which, text in (("subject", subject), ("body", body)):
        if max((depth for *_, depth in _spans(text)), default=0) > MAX_NESTING:
            problems.append((which, f"placeholders are nested more than {MAX_NESTING} deep"))
            continue
        problems += [
            (which, f"placeholder name {n!r} is not valid") for n in sorted(_names(text)) if not NAME.match(n)
        ]
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
