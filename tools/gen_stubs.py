"""Generate the Python stubs of the v1 contract into ``client/src/lienthong/``.

Usage::

    python -m tools.gen_stubs          # (re)generate
    python -m tools.gen_stubs --check  # exit 1 and list the files that are stale or missing

Runs ``grpc_tools.protoc`` with ``-Iproto`` (so generated modules import each other absolutely, as
``from lienthong.common.v1 import access_pb2``) plus grpc_tools' bundled well-known types, emitting
``_pb2.py``, ``_pb2.pyi`` and ``_pb2_grpc.py``, then adds an ``__init__.py`` to every package folder and
``py.typed``.
The output depends only on the ``.proto`` files and the grpcio-tools version, so ``--check`` is reliable.
The hand-written helper package ``lienthong/client/`` is never touched.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_DIR = ROOT / "client" / "src"
PACKAGE = "lienthong"
# Hand-written code (the helper package) and the client policy (a gRPC service config) next to the stubs.
HAND_WRITTEN = {"client", "service_config.json"}
# protoc's --pyi_out types module-level extension numbers as ClassVar, which mypy rejects outside a class.
MODULE_CLASSVAR = re.compile(r"^([A-Z0-9_]+_FIELD_NUMBER): _ClassVar\[int\]$", re.MULTILINE)
INIT_TEXT = '"""Generated from the Liên Thông v1 contract by tools/gen_stubs.py. Do not edit."""\n'


def proto_files() -> list[str]:
    """The contract's .proto files, relative to ``proto/``, in a stable order."""
    return sorted(p.relative_to(PROTO_DIR).as_posix() for p in (PROTO_DIR / PACKAGE).rglob("*.proto"))


def generate(out_dir: Path) -> None:
    """Write the generated package ``lienthong`` under ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    well_known = resources.files("grpc_tools") / "_proto"
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        "-I.",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *proto_files(),
    ]
    subprocess.run(cmd, cwd=PROTO_DIR, check=True)
    package_root = out_dir / PACKAGE
    for stub in sorted(package_root.rglob("*_pb2.pyi")):
        text = stub.read_text(encoding="utf-8")
        stub.write_text(MODULE_CLASSVAR.sub(r"\1: int", text), encoding="utf-8")
    for folder in sorted({package_root, *(p.parent for p in package_root.rglob("*_pb2.py"))}):
        # Every folder between lienthong/ and the module is a package too.
        while folder != out_dir:
            (folder / "__init__.py").write_text(INIT_TEXT, encoding="utf-8")
            folder = folder.parent
    (package_root / "py.typed").write_text("", encoding="utf-8")


def generated_files(root: Path) -> set[str]:
    """Relative paths of generated files under ``root/lienthong`` (hand-written and caches excluded)."""
    base = root / PACKAGE
    found = set()
    for path in base.rglob("*"):
        rel = path.relative_to(base)
        if not path.is_file() or rel.parts[0] in HAND_WRITTEN or "__pycache__" in rel.parts:
            continue
        found.add((Path(PACKAGE) / rel).as_posix())
    return found


def stale_files(expected_root: Path, actual_root: Path) -> list[str]:
    """Files that differ, are missing, or should no longer exist in ``actual_root``."""
    expected, actual = generated_files(expected_root), generated_files(actual_root)
    problems = [f"missing: {p}" for p in sorted(expected - actual)]
    problems += [f"unexpected: {p}" for p in sorted(actual - expected)]
    for rel in sorted(expected & actual):
        if not filecmp.cmp(expected_root / rel, actual_root / rel, shallow=False):
            problems.append(f"differs: {rel}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale stubs; exit 1 if any")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lt-stubs-") as tmp:
        fresh = Path(tmp)
        generate(fresh)
        problems = stale_files(fresh, OUT_DIR)
        if args.check:
            for line in problems:
                print(line)
            if problems:
                print("stubs are stale: run `python -m tools.gen_stubs` (or `make stubs`)", file=sys.stderr)
            return 1 if problems else 0
        # Replace the generated files wholesale, keeping the hand-written helper package.
        for line in problems:
            if line.startswith("unexpected: "):
                (OUT_DIR / line.removeprefix("unexpected: ")).unlink()
        for rel in sorted(generated_files(fresh)):
            target = OUT_DIR / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fresh / rel, target)
        print(f"generated {len(generated_files(fresh))} files under {OUT_DIR / PACKAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
