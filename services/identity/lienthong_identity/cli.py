"""``lienthong identity ...`` operator commands: bootstrap the platform operator, rotate signing keys."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from .adapters.agency_repo import AgencyRepository


def register(subparsers: Any) -> None:
    boot = subparsers.add_parser(
        "bootstrap", help="create the platform-admin agency and client (prints once)"
    )
    boot.add_argument("--database-url", default=None)
    boot.set_defaults(func=_bootstrap)
    rotate = subparsers.add_parser("rotate-keys", help="rotate the token-signing key now")
    rotate.add_argument("--database-url", default=None)
    rotate.set_defaults(func=_rotate)


def _context(args: argparse.Namespace) -> Any:
    from .bootstrap import create_context, load_settings

    overrides = {"database_url": args.database_url} if args.database_url else {}
    return create_context(load_settings(**overrides))


def _bootstrap(args: argparse.Namespace) -> int:
    from .bootstrap import create_platform_agency, dispose

    async def run() -> int:
        ctx = _context(args)
        try:
            async with ctx.sessions() as session:
                existing, _ = await AgencyRepository(session).page(None, 500, "")
            if any("platform.admin" in a.allowed_scopes for a in existing):
                print(
                    "identity is already bootstrapped: a platform agency exists. Rotate its client secret "
                    "with RotateClientSecret instead.",
                    file=sys.stderr,
                )
                return 1
            created = await create_platform_agency(ctx)
        finally:
            await dispose(ctx)
        print("Platform operator created. The secret is shown ONCE; store it in a secret manager now.")
        for key, value in created.items():
            print(f"  {key}: {value}")
        return 0

    return asyncio.run(run())


def _rotate(args: argparse.Namespace) -> int:
    from .bootstrap import dispose
    from .handlers.keys import SYSTEM, rotate_signing_key

    async def run() -> int:
        ctx = _context(args)
        try:
            rotated = await rotate_signing_key(ctx.uow(), ctx, SYSTEM)
        finally:
            await dispose(ctx)
        assert rotated is not None
        print(f"signing with {rotated[0].kid}; published next key {rotated[1].kid}")
        return 0

    return asyncio.run(run())
