"""Server-side request forgery through delivery callbacks (finding 6): notify refuses callback URLs that point
at loopback, private, link-local, shared, unspecified or cloud-metadata addresses, however they are spelt (IPv6,
IPv4-mapped, decimal, short forms, internal names), through the gateway and on notify's own port. (The check at
connection time, after a DNS change, is tested in tests/runtime/test_outbound.py.)"""

from __future__ import annotations

import grpc

from lienthong.notify.v1 import notify_pb2, notify_pb2_grpc

from .attack import bearer, status
from .platforms import Target
from .tally import Cases

INTERNAL_TARGETS = [
    "https://127.0.0.1/hook",
    "https://127.0.0.1:8443/hook",
    "https://localhost/hook",
    "https://LOCALHOST./hook",
    "https://sub.localhost/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:169.254.169.254]/hook",
    "https://0.0.0.0/hook",
    "https://[::]/hook",
    "https://10.0.0.1/hook",
    "https://172.16.5.4/hook",
    "https://192.168.1.1/hook",
    "https://100.64.0.1/hook",
    "https://198.18.0.1/hook",
    "https://2130706433/hook",
    "https://0x7f000001/hook",
    "https://127.1/hook",
    "https://017700000001/hook",
    "https://[fe80::1%25eth0]/hook",
    "https://printer.local/hook",
    "https://db.internal/hook",
]


async def test_callbacks_never_point_inside(target: Target) -> None:
    cases = Cases("ssrf", target.name)
    token = await target.agency_token("notify.callbacks.admin")
    for door, address in (("gateway", target.gateway), ("notify", target.services["notify"])):
        async with target.channel(address) as channel:
            notify = notify_pb2_grpc.NotifyServiceStub(channel)
            for url in INTERNAL_TARGETS:
                code = await status(
                    notify.SetCallback(notify_pb2.SetCallbackRequest(url=url), metadata=bearer(token))
                )
                cases.check(f"{url} @ {door}", code == grpc.StatusCode.INVALID_ARGUMENT, code.name)
            code = await status(notify.GetCallback(notify_pb2.GetCallbackRequest(), metadata=bearer(token)))
            cases.check(f"no callback was stored @ {door}", code == grpc.StatusCode.NOT_FOUND, code.name)
    cases.done()
