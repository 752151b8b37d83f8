"""The hostile suite's score sheet: every case tried, by attack class and platform, printed as a table at the end
of the run (see conftest.py). A test records each case it tries and fails if any case failed, naming them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

#: The attack classes, in the order the table lists them.
CLASSES = (
    "tokens",
    "isolation",
    "disclosure",
    "malformed input",
    "secrets at rest",
    "throttling",
    "ssrf",
)


@dataclass
class Tally:
    tried: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    passed: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def record(self, cls: str, platform: str, ok: bool) -> None:
        assert cls in CLASSES, cls
        self.tried[(cls, platform)] += 1
        self.passed[(cls, platform)] += int(ok)

    def table(self) -> str:
        platforms = sorted({p for _, p in self.tried})
        lines = [f"{'class':<18}" + "".join(f"{p + ' tried/passed':>30}" for p in platforms)]
        for cls in CLASSES:
            cells = []
            for p in platforms:
                t, ok = self.tried.get((cls, p), 0), self.passed.get((cls, p), 0)
                cells.append(f"{f'{ok}/{t}':>30}")
            lines.append(f"{cls:<18}" + "".join(cells))
        return "\n".join(lines)


TALLY = Tally()


class Cases:
    """Collects the cases of one test: ``check(name, ok)``; ``done()`` fails listing every failed case."""

    def __init__(self, cls: str, platform: str) -> None:
        self.cls, self.platform = cls, platform
        self.failed: list[str] = []
        self.count = 0

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.count += 1
        TALLY.record(self.cls, self.platform, ok)
        if not ok:
            self.failed.append(f"{name}{': ' + detail if detail else ''}")
        return ok

    def done(self) -> None:
        assert self.count, "a hostile test must try at least one case"
        assert not self.failed, f"{len(self.failed)} of {self.count} {self.cls} cases failed:\n" + "\n".join(
            self.failed
        )
