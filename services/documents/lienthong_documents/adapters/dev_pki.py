"""Development only: a demo signing CA in the data folder, so `lienthong dev` can show a VALID signature.

``lienthong dev`` (dev mode, no trust list configured) trusts ``documents-dev-ca.pem`` and leaves beside it
``documents-dev-signer.pem`` (the signer's private key and certificate) for examples and the journey to sign PDFs
with. Production never does this: its trust list is configured (``LIENTHONG_DOCUMENTS_TRUST_ROOTS``).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

log = logging.getLogger("lienthong.documents.dev_pki")
CA_FILE, SIGNER_FILE = "documents-dev-ca.pem", "documents-dev-signer.pem"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
) -> x509.Certificate:
    now = datetime.now(UTC)
    usage = (
        (False, False, False, False, False, True, True, False, False)
        if ca
        else (True, True, False, False, False, False, False, False, False)
    )
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(*usage), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def ensure_dev_ca(data_dir: str | Path) -> str:
    """The demo CA's certificate file (created once, with the signer's key and certificate beside it)."""
    folder = Path(data_dir)
    ca_path, signer_path = folder / CA_FILE, folder / SIGNER_FILE
    if ca_path.exists() and signer_path.exists():
        return str(ca_path)
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, signer_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = "Liên Thông demo CA (development only)"
    ca = _certificate(ca_name, ca_key, ca_name, ca_key, ca=True)
    signer = _certificate("Người ký demo", signer_key, ca_name, ca_key, ca=False)
    fd = os.open(signer_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(_pem_key(signer_key) + signer.public_bytes(serialization.Encoding.PEM))
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    log.warning(
        "dev mode: generated a demo signing CA into the data folder; never trust it in production",
        extra={"ca_file": str(ca_path)},
    )
    return str(ca_path)
