"""The front door's ``http-request`` rules: token checks, revocation, scopes and rate limits, in the Python
gateway's order (``lienthong_gateway.auth`` then ``ratelimit``), each refusal named by a case of
:mod:`lienthong_edge.refusals` in ``txn.why``.

Every rule after the first refusal is skipped (``!why``), so a call pays only for the checks it reaches; an
admitted call costs one ``jwt_verify`` and a handful of claim lookups, all native (no Lua on that path).
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations

from lienthong_gateway.config import Budget
from lienthong_gateway.config import Settings as GatewaySettings

#: Claims PyJWT is told to require (``lienthong_runtime.auth.TokenVerifier``).
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "jti")
#: Maps the agent updates through the runtime API (file name -> what a key means).
REVOCATION_MAPS = {
    "revoked": "token ids revoked (value: expiry, epoch seconds)",
    "suspended": "agencies suspended",
    "disabled": "clients disabled",
    "agency_not_before": "agencies resumed: tokens issued before this time stay refused",
    "sessions_not_before": "subjects whose sessions were revoked before this time",
}
ON = "!why"  # the condition of every check: not refused yet (HTTP/JSON calls carry why=rest from the start)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: The table of tokens whose signature this engine process has verified (by SHA-256 of the whole token).
VERIFIED_TABLE = "st_verified"


def token_rules(
    gateway: GatewaySettings, slots: int, maps: str, state: str, *, verify_cache: bool = True
) -> list[str]:
    """Who is calling: bearer token, header, algorithm, key, signature, claims, revocation.

    With ``verify_cache`` a token's signature is verified once per engine process and its hash remembered in
    :data:`VERIFIED_TABLE` (OpenSSL 3's ECDSA verify is most of an admitted call's cost, and a client sends one
    token for many calls). Only a signature that verified is remembered, only for a ``kid`` the engine still
    holds, and the table is not shared by peers, so a reload (new keys) starts it empty; every other check
    (algorithm, type, claims, times, revocation) still runs on every call."""
    leeway = round(gateway.token_leeway)
    rules = [
        "http-request set-var(txn.why) str(missing) if grpc !has_auth",
        "http-request set-var(txn.tok) http_auth_bearer if grpc has_auth",
        f"http-request set-var(txn.why) str(scheme) if {ON} !{{ var(txn.tok) -m reg . }}",
        # Well formed as PyJWT reads it: three base64url segments, the first a JSON object.
        f"http-request set-var(txn.hdr) var(txn.tok),field(1,.),ub64dec if {ON} "
        r"{ var(txn.tok) -m reg ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$ }",
        f"http-request set-var(txn.why) str(malformed) if {ON} !{{ var(txn.hdr) -m beg {{ }}",
        f"http-request set-var(txn.alg) var(txn.hdr),json_query('$.alg') if {ON}",
        f"http-request set-var(txn.why) str(alg) if {ON} !{{ var(txn.alg) -m str ES256 }}",
        f"http-request set-var(txn.typ) var(txn.hdr),json_query('$.typ') if {ON}",
        f"http-request set-var(txn.why) str(typ) if {ON} !{{ var(txn.typ) -m str -i at+jwt application/at+jwt }}",
        f"http-request set-var(txn.kid) var(txn.hdr),json_query('$.kid') if {ON}",
        f"http-request set-var(txn.why) str(no_kid) if {ON} !{{ var(txn.kid) -m reg . }}",
    ]
    # One verification per call, by the key slot the agent assigned to the token's kid.
    rules.append(f"http-request set-var(txn.slot) var(txn.kid),map({state}/kids.map) if {ON}")
    fresh = ""
    if verify_cache:
        rules += [
            f"http-request set-var(txn.th) var(txn.tok),sha2(256) if {ON} {{ var(txn.slot) -m found }}",
            f"http-request set-var(txn.sig) int(1) if {ON} {{ var(txn.th),table_gpt0({VERIFIED_TABLE}) -m int 1 }}",
        ]
        fresh = " !{ var(txn.sig) -m found }"
    for slot in range(slots):
        rules.append(
            f'http-request set-var(txn.sig) var(txn.tok),jwt_verify("ES256","{state}/keys/slot{slot}.pem") '
            f"if {ON} {{ var(txn.slot) -m str {slot} }}{fresh}"
        )
    if verify_cache:  # remembered only once verified (sc2: sc0 and sc1 are the rate limits')
        rules += [
            f"http-request track-sc2 var(txn.th) table {VERIFIED_TABLE} if {ON} {{ var(txn.sig) -m int 1 }} "
            f"!{{ var(txn.th),table_gpt0({VERIFIED_TABLE}) -m int 1 }}",
            f"http-request sc-set-gpt0(2) 1 if {ON} {{ var(txn.sig) -m int 1 }} {{ sc_tracked(2) }}",
        ]
    rules += [
        f"http-request set-var(txn.why) str(kid) if {ON} !{{ var(txn.sig) -m found }}",
        f"http-request set-var(txn.why) str(signature) if {ON} {{ var(txn.sig) -m int 0 }}",
        f"http-request set-var(txn.why) str(invalid) if {ON} !{{ var(txn.sig) -m int 1 }}",
    ]
    # The payload is decoded once; each claim is then a scan of that JSON text.
    rules.append(f"http-request set-var(txn.pl) var(txn.tok),field(2,.),ub64dec if {ON}")
    for claim in ("exp", "iat", "nbf"):
        rules.append(f"http-request set-var(txn.{claim}) var(txn.pl),json_query('$.{claim}','int') if {ON}")
    for claim in ("iss", "aud", "sub", "jti", "agency_id", "client_id", "scope"):
        rules.append(f"http-request set-var(txn.{claim}) var(txn.pl),json_query('$.{claim}') if {ON}")
    missing = " || ".join(f"{ON} !{{ var(txn.{c}) -m found }}" for c in REQUIRED_CLAIMS)
    rules += [
        f"http-request set-var(txn.why) str(invalid) if {missing}",
        # PyJWT's order: iat in the future, nbf, exp, then iss and aud (all with the leeway).
        f"http-request set-var(txn.now) date if {ON}",
        f"http-request set-var(txn.why) str(not_yet) if {ON} {{ var(txn.iat),sub({leeway}),sub(txn.now) gt 0 }}",
        f"http-request set-var(txn.why) str(not_yet) if {ON} {{ var(txn.nbf),sub({leeway}),sub(txn.now) gt 0 }}",
        f"http-request set-var(txn.why) str(expired) if {ON} {{ var(txn.exp),add({leeway}),sub(txn.now) le 0 }}",
        f"http-request set-var(txn.why) str(issuer) if {ON} !{{ var(txn.iss) -m str {_q(gateway.token_issuer)} }}",
        f"http-request set-var(txn.why) str(audience) if {ON} "
        f"!{{ var(txn.aud) -m str {_q(gateway.token_audience)} }}",
        # The caller, as Principal.from_claims reads it: client id, else the subject.
        f"http-request set-var(txn.client) var(txn.client_id) if {ON} {{ var(txn.client_id) -m reg . }}",
        f"http-request set-var(txn.client) var(txn.sub) if {ON} !{{ var(txn.client_id) -m reg . }}",
        # Revocation, from identity's events (the agent keeps these maps current).
        f"http-request set-var(txn.why) str(revoked) if {ON} {{ var(txn.jti),map({state}/revoked.map) -m found }}",
        f"http-request set-var(txn.why) str(suspended) if {ON} "
        f"{{ var(txn.agency_id),map({state}/suspended.map) -m found }}",
        f"http-request set-var(txn.why) str(disabled) if {ON} {{ var(txn.client_id) -m reg . }} "
        f"{{ var(txn.client_id),map({state}/disabled.map) -m found }}",
        f"http-request set-var(txn.nb) var(txn.agency_id),map_str_int({state}/agency_not_before.map,0) if {ON}",
        f"http-request set-var(txn.why) str(predates) if {ON} {{ var(txn.iat),sub(txn.nb) lt 0 }}",
        f"http-request set-var(txn.nb) var(txn.sub),map_str_int({state}/sessions_not_before.map,0) if {ON}",
        f"http-request set-var(txn.why) str(sessions) if {ON} {{ var(txn.iat),sub(txn.nb) lt 0 }}",
        # A public method ignores a missing or bad token and serves the caller anonymously.
        "http-request set-var(txn.anon) bool(1) if grpc public why",
        "http-request set-var(txn.anon) bool(1) if grpc public !has_auth",
        "http-request unset-var(txn.why) if grpc public",
    ]
    for name in ("agency_id", "client_id", "client", "sub"):
        rules.append(f"http-request unset-var(txn.{name}) if grpc anon")
    return rules


def scope_groups(rules: Mapping[str, frozenset[str]]) -> dict[frozenset[str], str]:
    """A short id per distinct scope set of the contract (``g0``, ``g1``...)."""
    distinct = sorted({scopes for scopes in rules.values()}, key=lambda s: sorted(s))
    return {scopes: f"g{index}" for index, scopes in enumerate(distinct)}


def scope_rules(groups: Mapping[frozenset[str], str]) -> list[str]:
    """For each scope set and each subset the token may lack, the ``missing_scopes`` the gateway reports
    (sorted, space separated); scopes match whole words of the ``scope`` claim."""
    rules = [f'http-request set-var-fmt(txn.sc) " %[var(txn.scope)] " if {ON} !public']
    for scopes, group in sorted(groups.items(), key=lambda item: item[1]):
        ordered = sorted(scopes)
        for size in range(1, len(ordered) + 1):
            for lacking in combinations(ordered, size):
                checks = " ".join(
                    ("!" if scope in lacking else "") + f'{{ var(txn.sc) -m sub " {scope} " }}'
                    for scope in ordered
                )
                rules.append(  # the group test first: the other groups' rules stop there
                    f'http-request set-var(txn.miss) str("{" ".join(lacking)}") '
                    f"if {{ var(txn.rule) -m str {group} }} {ON} {checks}"
                )
    rules.append("http-request set-var(txn.why) str(scope) if grpc { var(txn.miss) -m found }")
    return rules


def window_ms(budget: Budget) -> int:
    """The sliding window that admits ``burst`` calls and sustains ``rate`` calls per second."""
    return max(int(budget.burst / budget.rate * 1000), 1)


def retry_ms(budget: Budget) -> int:
    """The wait announced in ``RetryInfo``: the time one call's share of the budget takes to come back."""
    return max(round(1000 / budget.rate), 1)


def limit_tables(gateway: GatewaySettings) -> dict[str, Budget]:
    """Stick table name -> the default budget whose window it keeps."""
    policy = gateway.rate_limits
    return {
        "st_client_read": policy.client["read"],
        "st_client_write": policy.client["write"],
        "st_agency_read": policy.agency["read"],
        "st_agency_write": policy.agency["write"],
        "st_anon_addr": gateway.anonymous_budget,
        "st_anon_all": gateway.anonymous_total_budget,
    }


def limit_rules(gateway: GatewaySettings, maps: str) -> list[str]:
    """Client first, then agency (a client over its budget never spends its agency's); anonymous calls per
    address, then all together. Only admitted calls count (``gpc0``), so a refused caller recovers."""
    tables = limit_tables(gateway)
    rules = [f'http-request set-var-fmt(txn.ckey) "%[var(txn.agency_id)]|%[var(txn.client)]" if {ON} !anon']
    for klass, flag in (("read", "r"), ("write", "w")):
        when = f"{ON} !anon {{ var(txn.cls) -m str {flag} }}"
        for scope, sc, key in (("client", 0, "var(txn.ckey)"), ("agency", 1, "var(txn.agency_id)")):
            table = f"st_{scope}_{klass}"
            budget = tables[table]
            default = int(budget.rate * window_ms(budget) / 1000)
            rules += [
                f"http-request track-sc{sc} {key} table {table} if {when}",
                f"http-request set-var(txn.lim) var(txn.agency_id),"
                f"map_str_int({maps}/limit_{scope}_{klass}.map,{default}) if {when}",
                f"http-request set-var(txn.limit) str({scope}) if {when} {{ sc_gpc0_rate({sc}),sub(txn.lim) ge 0 }}",
                f"http-request set-var(txn.retry_ms) int({retry_ms(budget)}) if {when} {{ var(txn.limit) -m found }}",
                f"http-request set-var(txn.why) str(rl_{scope}) if {when} {{ var(txn.limit) -m found }}",
            ]
    for scope, sc, key, table in (
        ("client", 0, "src", "st_anon_addr"),
        ("agency", 1, "str(all)", "st_anon_all"),
    ):
        budget = tables[table]
        when = f"{ON} anon"
        rules += [
            f"http-request track-sc{sc} {key} table {table} if {when}",
            f"http-request set-var(txn.limit) str({scope}) if {when} "
            f"{{ sc_gpc0_rate({sc}),sub({int(budget.rate * window_ms(budget) / 1000)}) ge 0 }}",
            f"http-request set-var(txn.retry_ms) int({retry_ms(budget)}) if {when} {{ var(txn.limit) -m found }}",
            f"http-request set-var(txn.why) str(rl_{scope}) if {when} {{ var(txn.limit) -m found }}",
        ]
    rules += [f"http-request sc-inc-gpc0({sc}) if {ON}" for sc in (0, 1)]
    return rules


def limit_maps(gateway: GatewaySettings) -> dict[str, str]:
    """Per-agency overrides (``agency_rate_limits``): calls admitted per window of the default budget."""
    tables = limit_tables(gateway)
    files: dict[str, str] = {}
    for scope in ("client", "agency"):
        for klass in ("read", "write"):
            window = window_ms(tables[f"st_{scope}_{klass}"])
            lines = []
            for agency, policy in sorted(gateway.agency_rate_limits.items()):
                budget = getattr(policy, scope)[klass]
                lines.append(f"{agency} {max(int(budget.rate * window / 1000), 1)}")
            files[f"limit_{scope}_{klass}.map"] = "".join(line + "\n" for line in lines)
    return files
