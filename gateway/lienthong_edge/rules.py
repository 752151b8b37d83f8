"""The front door's ``http-request`` rules: token checks, revocation, scopes and rate limits, in the Python
gateway's order (``lienthong_gateway.auth`` then ``ratelimit``), each refusal named by a case of
:mod:`lienthong_edge.refusals` in ``txn.why``.

Every rule after the first refusal is skipped (``!why``), so a call pays only for the checks it reaches. HAProxy
evaluates every rule's condition in order (there is no jump), so each rule starts with its cheapest test that
fails on the common path: a remembered token (``known``) stops at the first term of the header and signature
rules, a call of one class at the first term of the other's limit rules, a call of any but a multi-scope group at
the first term of that group's scope rules. Where one rule can serve every call, the varying part comes from the
route map instead (the scope a method needs is its fourth field, see :func:`scope_rules`). An admitted call is
native HAProxy (no Lua on that path); temporaries are ``req.`` variables, so the ``txn.`` list every rule probes
stays short.
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

    With ``verify_cache`` the engine process remembers a token (by SHA-256 of the whole token, in
    :data:`VERIFIED_TABLE`) once it passed every check that depends only on its bytes: well formed, header
    (``alg``, ``typ``, ``kid``), signature, the required claims, ``iss`` and ``aud``. The same bytes give the same
    answers, so a remembered token skips those (``known``); what depends on the clock or on identity's events
    (``exp``/``nbf``/``iat``, revocation, suspension, sessions) and the method (scopes, limits) runs on every call.
    The table is not shared by peers and a reload (the only way new keys or settings reach the engine) starts it
    empty. Temporaries live in ``req.`` variables: the ``txn.`` list the rules probe on every line stays short."""
    leeway = round(gateway.token_leeway)
    slow = f"!known {ON}"  # a token this process has not seen pass its static checks
    rules = [
        "http-request set-var(txn.why) str(missing) if grpc !has_auth",
        "http-request set-var(req.tok) http_auth_bearer if grpc has_auth",
    ]
    if verify_cache:
        rules += [
            f"http-request set-var(req.th) var(req.tok),sha2(256) if {ON} {{ var(req.tok) -m found }}",
            f"http-request set-var(req.hit) var(req.th),table_gpt0({VERIFIED_TABLE}) "
            f"if {ON} {{ var(req.th) -m found }}",
        ]
    rules += [
        f"http-request set-var(txn.why) str(scheme) if {slow} !{{ var(req.tok) -m len 1: }}",
        # Well formed as PyJWT reads it: three base64url segments, the first a JSON object.
        f"http-request set-var(req.hdr) var(req.tok),field(1,.),ub64dec if {slow} "
        r"{ var(req.tok) -m reg ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$ }",
        f"http-request set-var(txn.why) str(malformed) if {slow} !{{ var(req.hdr) -m beg {{ }}",
        f"http-request set-var(req.alg) var(req.hdr),json_query('$.alg') if {slow}",
        f"http-request set-var(txn.why) str(alg) if {slow} !{{ var(req.alg) -m str ES256 }}",
        f"http-request set-var(req.typ) var(req.hdr),json_query('$.typ') if {slow}",
        f"http-request set-var(txn.why) str(typ) if {slow} !{{ var(req.typ) -m str -i at+jwt application/at+jwt }}",
        f"http-request set-var(req.kid) var(req.hdr),json_query('$.kid') if {slow}",
        f"http-request set-var(txn.why) str(no_kid) if {slow} !{{ var(req.kid) -m len 1: }}",
        # One verification, by the key slot the agent assigned to the token's kid.
        f"http-request set-var(req.slot) var(req.kid),map({state}/kids.map) if {slow}",
    ]
    for slot in range(slots):
        rules.append(
            f'http-request set-var(req.sig) var(req.tok),jwt_verify("ES256","{state}/keys/slot{slot}.pem") '
            f"if {slow} {{ var(req.slot) -m str {slot} }}"
        )
    rules += [
        f"http-request set-var(txn.why) str(kid) if {slow} !{{ var(req.sig) -m found }}",
        f"http-request set-var(txn.why) str(signature) if {slow} {{ var(req.sig) -m int 0 }}",
        f"http-request set-var(txn.why) str(invalid) if {slow} !{{ var(req.sig) -m int 1 }}",
        # The payload is decoded once; each claim is then a scan of that JSON text.
        f"http-request set-var(req.pl) var(req.tok),field(2,.),ub64dec if {ON}",
    ]
    for claim in ("exp", "iat", "nbf"):
        rules.append(f"http-request set-var(req.{claim}) var(req.pl),json_query('$.{claim}','int') if {ON}")
    for claim in ("sub", "agency_id", "client_id"):  # the audit line's: txn
        rules.append(f"http-request set-var(txn.{claim}) var(req.pl),json_query('$.{claim}') if {ON}")
    for claim in ("jti", "scope"):
        rules.append(f"http-request set-var(req.{claim}) var(req.pl),json_query('$.{claim}') if {ON}")
    for claim in ("iss", "aud"):
        rules.append(f"http-request set-var(req.{claim}) var(req.pl),json_query('$.{claim}') if {slow}")
    scope_of = {c: ("txn" if c in ("sub", "agency_id", "client_id") else "req") for c in REQUIRED_CLAIMS}
    missing = " || ".join(f"{slow} !{{ var({scope_of[c]}.{c}) -m found }}" for c in REQUIRED_CLAIMS)
    rules += [
        f"http-request set-var(txn.why) str(invalid) if {missing}",
        # PyJWT's order: iat in the future, nbf, exp, then iss and aud (all with the leeway).
        f"http-request set-var(req.now) date if {ON}",
        f"http-request set-var(txn.why) str(not_yet) if {ON} {{ var(req.iat),sub({leeway}),sub(req.now) gt 0 }}",
        f"http-request set-var(txn.why) str(not_yet) if {ON} {{ var(req.nbf),sub({leeway}),sub(req.now) gt 0 }}",
        f"http-request set-var(txn.why) str(expired) if {ON} {{ var(req.exp),add({leeway}),sub(req.now) le 0 }}",
        f"http-request set-var(txn.why) str(issuer) if {slow} !{{ var(req.iss) -m str {_q(gateway.token_issuer)} }}",
        f"http-request set-var(txn.why) str(audience) if {slow} "
        f"!{{ var(req.aud) -m str {_q(gateway.token_audience)} }}",
    ]
    if verify_cache:  # remembered once every check on its bytes passed (sc2: sc0 and sc1 are the limits')
        rules += [
            f"http-request track-sc2 var(req.th) table {VERIFIED_TABLE} if {slow} {{ var(req.sig) -m int 1 }}",
            f"http-request sc-set-gpt0(2) 1 if {slow} {{ var(req.sig) -m int 1 }} {{ sc_tracked(2) }}",
        ]
    rules += [
        # The caller, as Principal.from_claims reads it: client id, else the subject.
        f"http-request set-var(req.client) var(txn.client_id) if {ON} {{ var(txn.client_id) -m len 1: }}",
        f"http-request set-var(req.client) var(txn.sub) if {ON} !{{ var(txn.client_id) -m len 1: }}",
        # Revocation, from identity's events (the agent keeps these maps current).
        f"http-request set-var(txn.why) str(revoked) if {ON} {{ var(req.jti),map({state}/revoked.map) -m found }}",
        f"http-request set-var(txn.why) str(suspended) if {ON} "
        f"{{ var(txn.agency_id),map({state}/suspended.map) -m found }}",
        f"http-request set-var(txn.why) str(disabled) if {ON} {{ var(txn.client_id) -m len 1: }} "
        f"{{ var(txn.client_id),map({state}/disabled.map) -m found }}",
        f"http-request set-var(req.nb) var(txn.agency_id),map_str_int({state}/agency_not_before.map,0) if {ON}",
        f"http-request set-var(txn.why) str(predates) if {ON} {{ var(req.iat),sub(req.nb) lt 0 }}",
        f"http-request set-var(req.nb) var(txn.sub),map_str_int({state}/sessions_not_before.map,0) if {ON}",
        f"http-request set-var(txn.why) str(sessions) if {ON} {{ var(req.iat),sub(req.nb) lt 0 }}",
        # A public method ignores a missing or bad token and serves the caller anonymously.
        "http-request set-var(req.anon) bool(1) if public grpc why",
        "http-request set-var(req.anon) bool(1) if public grpc !has_auth",
        "http-request unset-var(txn.why) if public grpc",
    ]
    for name in ("txn.agency_id", "txn.client_id", "req.client", "txn.sub"):
        rules.append(f"http-request unset-var({name}) if anon grpc")
    return rules


def scope_groups(rules: Mapping[str, frozenset[str]]) -> dict[frozenset[str], str]:
    """A short id per distinct scope set of the contract (``g0``, ``g1``...)."""
    distinct = sorted({scopes for scopes in rules.values()}, key=lambda s: sorted(s))
    return {scopes: f"g{index}" for index, scopes in enumerate(distinct)}


#: ``req.sc`` is ``"<needed scope>  <scope claim> "``: the method's one needed scope (the route map's fourth field,
#: empty for a method of several scopes), two spaces, the claim, a space. The needed scope is present when it
#: comes again as a whole word of the claim, `` <scope> ``, hence a backreference; a named one, because HAProxy
#: compiles ACL regexes without numbered captures (PCRE2_NO_AUTO_CAPTURE). ``[^ ]+`` followed by a space takes
#: exactly the first word. A leading space (no single scope needed) always matches; ``(?s)`` lets ``.`` cross a
#: newline in the claim, so words are split on spaces only, as the multi-scope groups' `` <scope> `` tests do.
NEEDED_SCOPE_PRESENT = r"'(?s)^(?: |(?<need>[^ ]+) .* \k<need> )'"


def scope_rules(groups: Mapping[frozenset[str], str]) -> list[str]:
    """The scope check: every scope of the method as a whole word of the ``scope`` claim, else ``txn.miss`` holds
    the ``missing_scopes`` the gateway reports (sorted, space separated) and the call is refused (``scope``).

    A method of one scope (nearly every method of the contract) carries it in the route map's fourth field
    (:func:`lienthong_edge.render.route_map`), so one rule checks them all (:data:`NEEDED_SCOPE_PRESENT`) and an
    admitted call passes a fixed handful of scope rules, not one per scope group. Only a group of several scopes
    has rules of its own (none when the contract has no such group), each testing its group first (one string
    compare that stops every other call): whether all its scopes are present (`` <scope> `` in ``req.sc``, whose
    claim part is padded with spaces), then, only for a token that lacks one, which subset it lacks."""
    needed = "var(req.route),field(4,:)"
    rules = [
        f'http-request set-var-fmt(req.sc) "%[{needed}]  %[var(req.scope)] " if {ON} !public',
        f"http-request set-var(txn.miss) {needed} if {ON} !public !{{ var(req.sc) -m reg {NEEDED_SCOPE_PRESENT} }}",
    ]
    for scopes, group in sorted(groups.items(), key=lambda item: item[1]):
        if len(scopes) < 2:
            continue
        ordered = sorted(scopes)
        words = {scope: f'{{ var(req.sc) -m sub " {scope} " }}' for scope in ordered}
        this = f"{{ var(req.rule) -m str {group} }}"
        rules.append(
            "http-request set-var(req.lack) bool(1) if "
            + " || ".join(f"{this} {ON} !{words[scope]}" for scope in ordered)
        )
        this += " { var(req.lack) -m bool }"
        for size in range(1, len(ordered) + 1):
            for lacking in combinations(ordered, size):
                checks = " ".join(("!" if scope in lacking else "") + words[scope] for scope in ordered)
                rules.append(  # the group test first: the other groups' rules stop there
                    f'http-request set-var(txn.miss) str("{" ".join(lacking)}") if {this} {ON} {checks}'
                )
    rules.append("http-request set-var(txn.why) str(scope) if { var(txn.miss) -m found } grpc")
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
    rules = [f'http-request set-var-fmt(req.ckey) "%[var(txn.agency_id)]|%[var(req.client)]" if {ON} !anon']
    for klass, flag in (("read", "r"), ("write", "w")):
        when = f"{{ var(req.cls) -m str {flag} }} {ON} !anon"  # the class first: the other class stops there
        for scope, sc, key in (("client", 0, "var(req.ckey)"), ("agency", 1, "var(txn.agency_id)")):
            table = f"st_{scope}_{klass}"
            budget = tables[table]
            default = int(budget.rate * window_ms(budget) / 1000)
            rules += [
                f"http-request track-sc{sc} {key} table {table} if {when}",
                f"http-request set-var(req.lim) var(txn.agency_id),"
                f"map_str_int({maps}/limit_{scope}_{klass}.map,{default}) if {when}",
                f"http-request set-var(txn.limit) str({scope}) if {when} {{ sc_gpc0_rate({sc}),sub(req.lim) ge 0 }}",
                f"http-request set-var(txn.retry_ms) int({retry_ms(budget)}) if {{ var(txn.limit) -m found }} {when}",
                f"http-request set-var(txn.why) str(rl_{scope}) if {{ var(txn.limit) -m found }} {when}",
            ]
    for scope, sc, key, table in (
        ("client", 0, "src", "st_anon_addr"),
        ("agency", 1, "str(all)", "st_anon_all"),
    ):
        budget = tables[table]
        when = f"anon {ON}"
        rules += [
            f"http-request track-sc{sc} {key} table {table} if {when}",
            f"http-request set-var(txn.limit) str({scope}) if {when} "
            f"{{ sc_gpc0_rate({sc}),sub({int(budget.rate * window_ms(budget) / 1000)}) ge 0 }}",
            f"http-request set-var(txn.retry_ms) int({retry_ms(budget)}) if {{ var(txn.limit) -m found }} {when}",
            f"http-request set-var(txn.why) str(rl_{scope}) if {{ var(txn.limit) -m found }} {when}",
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
