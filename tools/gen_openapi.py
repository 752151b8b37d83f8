"""Build the contract's descriptor set and the REST face's OpenAPI 3.1 document.

Usage::

    python -m tools.gen_openapi                      # (re)write gateway/lienthong_gateway/rest/openapi.json
    python -m tools.gen_openapi --check              # exit 1 when that file is stale
    python -m tools.gen_openapi --descriptor-set dist/lienthong-v1.binpb --openapi dist/openapi.json

The descriptor set is built by the same pinned ``grpc_tools.protoc`` as the stubs, with imports and source
info (comments), so any language's tooling (grpcurl, Envoy's transcoder, buf, code generators) can load it; the
OpenAPI document takes its descriptions from those comments.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

from google.protobuf import descriptor_pb2

from lienthong_gateway.rest.openapi import build_openapi
from lienthong_gateway.rest.rules import RouteTable, rest_routes
from lienthong_gateway.routing import contract_routes
from tools.gen_stubs import PROTO_DIR, proto_files

OPENAPI_FILE = (
    Path(__file__).resolve().parent.parent / "gateway" / "lienthong_gateway" / "rest" / "openapi.json"
)


def descriptor_set() -> bytes:
    """The contract's FileDescriptorSet with every import and source info."""
    well_known = resources.files("grpc_tools") / "_proto"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "contract.binpb"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "grpc_tools.protoc",
                "-I.",
                f"-I{well_known}",
                "--include_imports",
                "--include_source_info",
                f"--descriptor_set_out={out}",
                *proto_files(),
            ],
            cwd=PROTO_DIR,
            check=True,
        )
        return out.read_bytes()


def openapi_text(files: bytes) -> str:
    document = build_openapi(
        RouteTable(rest_routes(contract_routes())), descriptor_pb2.FileDescriptorSet.FromString(files)
    )
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail when the committed openapi.json is stale")
    parser.add_argument("--descriptor-set", type=Path, help="also write the descriptor set here")
    parser.add_argument("--openapi", type=Path, default=OPENAPI_FILE, help="where to write the document")
    args = parser.parse_args()
    files = descriptor_set()
    text = openapi_text(files)
    if args.check:
        if not OPENAPI_FILE.exists() or OPENAPI_FILE.read_text(encoding="utf-8") != text:
            print(f"{OPENAPI_FILE} is stale: run `make stubs`", file=sys.stderr)
            return 1
        return 0
    if args.descriptor_set:
        args.descriptor_set.parent.mkdir(parents=True, exist_ok=True)
        args.descriptor_set.write_bytes(files)
    args.openapi.parent.mkdir(parents=True, exist_ok=True)
    args.openapi.write_text(text, encoding="utf-8")
    print(f"wrote {args.openapi}" + (f" and {args.descriptor_set}" if args.descriptor_set else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
