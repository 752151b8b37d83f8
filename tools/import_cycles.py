"""Import cycles among the repository's own modules (generated stubs excluded), each reported as a path.

A cycle makes the import order matter (importing one member first can fail half-initialised) and ties modules
that should be layered. Every import counts, also one inside a function or under ``TYPE_CHECKING``: deferring an
import hides a cycle, it does not remove it. Break one by moving what both sides need into a module that imports
neither, or by injecting the dependency from the composition root.

``python -m tools.import_cycles`` prints each cycle and exits 1 when there is one (``tests/contract/
test_import_cycles.py`` runs the same check). The graph is built by grimp, import-linter's graph library.
"""

from __future__ import annotations

import sys
import tomllib
from collections import deque
from collections.abc import Iterable, Mapping, Sequence, Set
from itertools import pairwise
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
#: Generated modules (protoc, grpcio-tools): not ours to arrange.
GENERATED_SUFFIXES = ("_pb2", "_pb2_grpc")
#: Source roots besides the ones pyproject's package finder lists: the client distribution and the repository
#: root (bench, tools, tests).
EXTRA_ROOTS = ("client/src", ".")


def first_party_packages(root: Path = ROOT) -> list[str]:
    """Every top-level package under the source roots of ``pyproject.toml`` and :data:`EXTRA_ROOTS`."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    roots = [*config["tool"]["setuptools"]["packages"]["find"]["where"], *EXTRA_ROOTS]
    found: list[str] = []
    for folder in roots:
        for child in sorted((root / folder).iterdir()):
            if (child / "__init__.py").is_file() and child.name not in found:
                found.append(child.name)
    return found


def import_graph(packages: Sequence[str]) -> tuple[grimp.ImportGraph, Mapping[str, Set[str]]]:
    """grimp's graph of ``packages``, and module -> the first-party modules it imports (generated ones left out)."""
    for path in (str(ROOT), *(str(ROOT / r) for r in EXTRA_ROOTS)):
        if path not in sys.path:
            sys.path.insert(0, path)
    graph = grimp.build_graph(*packages, cache_dir=None)
    modules = {m for m in graph.modules if not m.endswith(GENERATED_SUFFIXES)}
    return graph, {m: set(graph.find_modules_directly_imported_by(m)) & modules for m in sorted(modules)}


def _components(edges: Mapping[str, Set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges[nxt]))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def _shortest_cycle(edges: Mapping[str, Set[str]], component: Iterable[str]) -> list[str]:
    """The shortest cycle through the component's first module: ``[a, b, ..., a]``."""
    members = set(component)
    start = min(members)
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(edges[node] & members):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    raise AssertionError(f"{start} is in a cycle but no path leads back to it")


def find_cycles(packages: Sequence[str] | None = None) -> list[str]:
    """One shortest cycle per group of mutually importing modules, each as ``a:LINE -> b:LINE -> ... -> a``
    (the line of the first statement by which each module imports the next)."""
    graph, edges = import_graph(packages or first_party_packages())
    described = []
    for component in _components(edges):
        cycle = _shortest_cycle(edges, component)
        hops = []
        for importer, imported in pairwise(cycle):
            details = graph.get_import_details(importer=importer, imported=imported)
            line = min((d["line_number"] for d in details), default=0)
            hops.append(f"{importer}:{line}")
        described.append(" -> ".join([*hops, cycle[-1]]))
    return described


def main() -> int:
    cycles = find_cycles()
    for cycle in cycles:
        print(f"import cycle: {cycle}")
    if cycles:
        print(
            f"{len(cycles)} import cycle(s); see tools/import_cycles.py for how to break one", file=sys.stderr
        )
        return 1
    print(f"no import cycles among {', '.join(first_party_packages())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
