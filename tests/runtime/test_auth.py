import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from lienthong_runtime.access import authorization_header
from lienthong_runtime.auth import KeySource, Principal, TokenVerifier
from lienthong_runtime.errors import PermissionDenied, Unauthenticated
from lienthong_runtime.testing import TokenMint


@pytest.fixture
def mint() -> TokenMint:
    return TokenMint()


async def _reason(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(token)
    return caught.value.reason


async def test_valid_token_gives_principal(mint):
    principal = await mint.verifier().verify(mint.token(["registry.citizens.read"], agency="a1"))
    assert principal.agency_id == "a1" and "registry.citizens.read" in principal.scopes
    assert principal.kind == "client" and principal.token_id


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": int(time.time()) - 3600}, "TOKEN_EXPIRED"),
        ({"nbf": int(time.time()) + 3600}, "TOKEN_NOT_YET_VALID"),
        ({"aud": "someone-else"}, "TOKEN_AUDIENCE_INVALID"),
        ({"iss": "https://evil.example"}, "TOKEN_ISSUER_INVALID"),
    ],
)
async def test_claim_checks(mint, claims, reason):
    assert await _reason(mint.verifier(), mint.token(["x"], **claims)) == reason


async def test_alg_none_is_refused(mint):
    token = jwt.encode({"sub": "x"}, None, algorithm="none", headers={"kid": mint.kid})
    assert await _reason(mint.verifier(), token) == "TOKEN_ALGORITHM_REJECTED"


async def test_hmac_with_public_key_is_refused(mint):
    public_pem = mint.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": mint.kid}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps({"sub": "x", "exp": time.time() + 60}).encode()).rstrip(
        b"="
    )
    import hashlib
    import hmac

    signature = base64.urlsafe_b64encode(
        hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest()
    ).rstrip(b"=")
    token = b".".join([header, payload, signature]).decode()
    assert await _reason(mint.verifier(), token) == "TOKEN_ALGORITHM_REJECTED"


async def test_unknown_kid_and_other_key_are_refused(mint):
    other = TokenMint()
    assert await _reason(mint.verifier(), other.token(["x"])) == "TOKEN_KEY_UNKNOWN"
    forged = TokenMint(kid=mint.kid)  # same kid, different key
    assert await _reason(mint.verifier(), forged.token(["x"])) == "TOKEN_SIGNATURE_INVALID"


async def test_tampered_payload_is_refused(mint):
    header, payload, signature = mint.token(["a"]).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["scope"] = "platform.admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert await _reason(mint.verifier(), f"{header}.{forged}.{signature}") == "TOKEN_SIGNATURE_INVALID"


async def test_garbage_is_malformed(mint):
    assert await _reason(mint.verifier(), "not-a-jwt") == "TOKEN_MALFORMED"


async def test_revocation_and_suspension_apply_to_cached_tokens(mint):
    verifier = mint.verifier()
    token = mint.token(["a"], agency="ag-7")
    principal = await verifier.verify(token)  # now cached
    mint.revocations.revoke(principal.token_id, principal.expires_at)
    assert await _reason(verifier, token) == "TOKEN_REVOKED"
    other = mint.token(["a"], agency="ag-7")
    await verifier.verify(other)
    mint.revocations.suspend_agency("ag-7")
    assert await _reason(verifier, other) == "AGENCY_SUSPENDED"
    mint.revocations.resume_agency("ag-7")
    assert (await verifier.verify(other)).agency_id == "ag-7"


async def test_key_source_refreshes_on_unknown_kid_but_not_too_often():
    first, second = TokenMint(), TokenMint()
    calls = []
    documents = [first.jwks()]

    async def fetch():
        calls.append(1)
        return documents[-1]

    source = KeySource(fetch, min_refresh_interval=60)
    verifier = TokenVerifier(source, issuer=first.issuer, audience=first.audience)
    await verifier.verify(first.token(["a"]))
    documents.append({"keys": first.jwks()["keys"] + second.jwks()["keys"]})
    # Within the refresh interval an unknown kid does not trigger another fetch.
    assert await _reason(verifier, second.token(["a"])) == "TOKEN_KEY_UNKNOWN"
    assert len(calls) == 1
    source.min_refresh_interval = 0
    assert (await verifier.verify(second.token(["a"]))).subject
    assert len(calls) == 2


def test_scope_check():
    principal = Principal(subject="s", agency_id="a", scopes=frozenset({"x.read"}))
    principal.require_scopes({"x.read"})
    with pytest.raises(PermissionDenied) as caught:
        principal.require_scopes({"x.read", "x.write"})
    assert caught.value.metadata["missing_scopes"] == "x.write"


def test_authorization_header_from_metadata():
    assert authorization_header((("x-request-id", "r"), ("authorization", "Bearer abc"))) == "Bearer abc"
    assert authorization_header((("authorization", b"Bearer abc"),)) == "Bearer abc"
    assert authorization_header(()) is None and authorization_header(None) is None


async def test_a_token_from_the_second_of_a_suspension_stays_refused_after_the_resume() -> None:
    """Issue #12, finding 7: the services took the cut-off from AgencyResumed at whole seconds, so a token signed
    in the same second as SuspendAgency passed again after a quick ResumeAgency."""
    from google.protobuf.timestamp_pb2 import Timestamp

    from lienthong.identity.v1 import events_pb2
    from lienthong_runtime.auth import RevocationState
    from lienthong_runtime.events import envelope
    from lienthong_runtime.identity_events import IdentityEvents

    def at(seconds: float) -> Timestamp:
        stamp = Timestamp()
        stamp.FromNanoseconds(int(seconds * 1e9))
        return stamp

    state = RevocationState()
    events = IdentityEvents(state, None)
    second = 1_800_000_000
    await events.handle(
        envelope("identity", events_pb2.AgencySuspended(agency_id="ag-1", suspend_time=at(second + 0.5)))
    )
    await events.handle(
        envelope("identity", events_pb2.AgencyResumed(agency_id="ag-1", resume_time=at(second + 0.7)))
    )

    def token(iat: int, iat_ms: int | None = None) -> Principal:
        claims = {"sub": "c", "agency_id": "ag-1", "jti": f"j{iat}{iat_ms}", "iat": iat, "exp": iat + 600}
        if iat_ms is not None:
            claims["iat_ms"] = iat_ms
        return Principal.from_claims(claims)

    for before in (token(second), token(second, second * 1000 + 200)):  # signed before the suspension
        with pytest.raises(Unauthenticated):
            state.check(before)
    state.check(token(second + 1))  # identity signs post-resume tokens from the next second on
    state.check(token(second, second * 1000 + 800))  # or says precisely that it signed after the suspension


async def test_only_the_resume_known_the_cut_off_is_the_resume_instant() -> None:
    from lienthong_runtime.auth import RevocationState

    state = RevocationState()
    state.suspend_agency("ag-2")
    state.resume_agency("ag-2", not_before=1_800_000_000.7)
    with pytest.raises(Unauthenticated):
        state.check(
            Principal.from_claims({"sub": "c", "agency_id": "ag-2", "jti": "x", "iat": 1_800_000_000})
        )
