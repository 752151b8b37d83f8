"""TLS on the public port (reloaded from disk without a restart), mutual TLS to the services, reflection of the
whole contract through the gateway, and the gateway's own health."""

import datetime
import os

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from lienthong_gateway.bootstrap import build_gateway, load_settings
from lienthong_runtime.auth import KeySource
from lienthong_runtime.server import Server

from .conftest import GENEROUS, GET_CITIZEN, READ, FakeUpstream, run_gateway

NAME = "gateway.lienthong.test"


class Authority:
    """A throwaway CA that signs server and client certificates."""

    def __init__(self, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (
            self._builder(self.name, self.key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def _builder(self, subject: x509.Name, public_key) -> x509.CertificateBuilder:
        now = datetime.datetime.now(datetime.UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
        )

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, host: str) -> tuple[bytes, bytes]:
        """(certificate PEM, key PEM) for ``host``."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
        cert = (
            self._builder(subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _write(folder: str, name: str, data: bytes) -> str:
    path = os.path.join(folder, name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


async def _call_over_tls(port: int, ca: bytes, metadata) -> bytes:
    options = [("grpc.ssl_target_name_override", NAME), ("grpc.so_reuseport", 0)]
    async with grpc.aio.secure_channel(
        f"127.0.0.1:{port}", grpc.ssl_channel_credentials(ca), options
    ) as channel:
        return await channel.unary_unary(GET_CITIZEN)(b"x", metadata=metadata, timeout=5)


async def test_public_tls_and_certificate_reload_without_restart(mint, socket_dir, upstream):
    first, second = Authority("first CA"), Authority("second CA")
    cert, key = first.issue(NAME)
    cert_file, key_file = _write(socket_dir, "gw.crt", cert), _write(socket_dir, "gw.key", key)
    settings = load_settings(
        host="127.0.0.1",
        port=0,
        http_port=0,
        upstreams={"registry": [upstream.target]},
        token_issuer=mint.issuer,
        token_audience=mint.audience,
        audit_path="",
        redis_url="",
        rate_limits=GENEROUS,
        bus_url=f"memory://tls-{mint.kid}",
        tls_cert_file=cert_file,
        tls_key_file=key_file,
    )
    gateway = await build_gateway(settings, keys=KeySource.from_jwks(mint.jwks()))
    server = Server(gateway.app)
    await server.start()
    try:
        assert gateway.tls_port > 0
        metadata = mint.metadata([READ])
        assert await _call_over_tls(gateway.tls_port, first.pem, metadata) == b"ok:a:x"
        with pytest.raises(grpc.aio.AioRpcError):
            await _call_over_tls(gateway.tls_port, second.pem, metadata)
        cert, key = second.issue(NAME)  # renewal: new files, same paths, no restart
        _write(socket_dir, "gw.key.new", key)
        os.replace(os.path.join(socket_dir, "gw.key.new"), key_file)
        _write(socket_dir, "gw.crt", cert)
        assert await _call_over_tls(gateway.tls_port, second.pem, metadata) == b"ok:a:x"
    finally:
        await server.stop(0)


async def test_mutual_tls_to_the_services(mint, socket_dir):
    ca = Authority("services CA")
    server_cert, server_key = ca.issue("registry.lienthong.test")
    client_cert, client_key = ca.issue("gateway.lienthong.test")
    upstream = FakeUpstream(os.path.join(socket_dir, "mtls.sock"), "m")
    upstream_credentials = grpc.ssl_server_credentials(
        [(server_key, server_cert)], root_certificates=ca.pem, require_client_auth=True
    )
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers((upstream._handler(),))
    port = server.add_secure_port("127.0.0.1:0", upstream_credentials)
    await server.start()
    files = {
        name: _write(socket_dir, name, data)
        for name, data in {
            "ca.pem": ca.pem,
            "gw-client.crt": client_cert,
            "gw-client.key": client_key,
        }.items()
    }
    try:
        common = {"upstream_ca_file": files["ca.pem"], "upstream_server_name": "registry.lienthong.test"}
        async with run_gateway(
            mint,
            socket_dir,
            {"registry": [f"127.0.0.1:{port}"]},
            **common,
            upstream_cert_file=files["gw-client.crt"],
            upstream_key_file=files["gw-client.key"],
        ) as gw:
            assert await gw.unary(GET_CITIZEN)(b"x", metadata=mint.metadata([READ]), timeout=5) == b"ok:m:x"
        async with run_gateway(mint, socket_dir, {"registry": [f"127.0.0.1:{port}"]}, **common) as gw:
            with pytest.raises(grpc.aio.AioRpcError) as caught:  # no client certificate: the service refuses
                await gw.unary(GET_CITIZEN)(b"x", metadata=mint.metadata([READ]), timeout=5)
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        assert upstream.calls[GET_CITIZEN] == 1
    finally:
        await server.stop(0)


async def _reflect(channel: grpc.aio.Channel, request: reflection_pb2.ServerReflectionRequest):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    async for reply in stub.ServerReflectionInfo(iter([request]), timeout=5):
        return reply
    raise AssertionError("no reflection reply")


async def test_reflection_lists_every_contract_service_and_health_answers(mint, socket_dir, upstream):
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        listed = await _reflect(gw.channel, reflection_pb2.ServerReflectionRequest(list_services=""))
        found = await _reflect(
            gw.channel,
            reflection_pb2.ServerReflectionRequest(
                file_containing_symbol="lienthong.registry.v1.RegistryService"
            ),
        )
        reply = await health_pb2_grpc.HealthStub(gw.channel).Check(health_pb2.HealthCheckRequest())
    services = {s.name for s in listed.list_services_response.service}
    assert {
        "lienthong.identity.v1.IdentityService",
        "lienthong.registry.v1.RegistryService",
        "lienthong.payment.v1.PaymentService",
        "lienthong.notify.v1.NotifyService",
        "grpc.health.v1.Health",
    } <= services
    files = [
        descriptor_pb2.FileDescriptorProto.FromString(raw)
        for raw in found.file_descriptor_response.file_descriptor_proto
    ]
    assert "lienthong/registry/v1/registry.proto" in {f.name for f in files}
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_v1_through_the_gateway_finds_a_method(mint, socket_dir, upstream):
    """grpc.reflection.v1 (the same messages as v1alpha under another package) and lookup by method symbol."""
    async with run_gateway(mint, socket_dir, {"registry": [upstream.target]}) as gw:
        call = gw.channel.stream_stream(
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
        )
        request = reflection_pb2.ServerReflectionRequest(
            file_containing_symbol="lienthong.registry.v1.RegistryService.GetCitizen"
        )
        replies = [reply async for reply in call(iter([request]), timeout=5)]
    files = [
        descriptor_pb2.FileDescriptorProto.FromString(raw)
        for raw in replies[0].file_descriptor_response.file_descriptor_proto
    ]
    assert "lienthong/registry/v1/registry.proto" in {f.name for f in files}
