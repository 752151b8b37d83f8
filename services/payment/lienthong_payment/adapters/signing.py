"""HMAC-SHA512 signing of query parameters, as VNPay API v2.1.0 does it (the sandbox signs the same way).

The signed data is the parameters sorted by name and URL-encoded with ``quote_plus`` (``a=1&b=x+y``); the
signature is the lower-case hex HMAC-SHA512 of it under the merchant's secret. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote_plus, urlencode


def canonical_query(params: Mapping[str, str]) -> str:
    return urlencode(sorted(params.items()), quote_via=quote_plus)


def sign(secret: bytes, params: Mapping[str, str]) -> str:
    return hmac.new(secret, canonical_query(params).encode("utf-8"), hashlib.sha512).hexdigest()


def signature_ok(secret: bytes, params: Mapping[str, str], signature: str) -> bool:
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(secret, params).encode(), signature.strip().lower().encode())
