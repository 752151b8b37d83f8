"""The engine's Lua helper: turns a refusal case into the gRPC status the Python gateway would send.

Only refusals run Lua (the admitted path is native HAProxy). The helper encodes a ``google.rpc.Status`` by hand
(a few varints and length-delimited fields): ``code``, ``message`` and ``details`` = [``ErrorInfo`` (reason,
domain, metadata), then ``RetryInfo`` for rate limits]. Metadata entries are written sorted by key, which is
protobuf's deterministic map order.
"""

from __future__ import annotations

from lienthong_runtime.errors import ERROR_DOMAIN

from .refusals import UNIMPLEMENTED, Refusal

_HELPER = r"""
local DOMAIN = %(domain)s

local function varint(n)
  local out = {}
  repeat
    local byte = n %% 128
    n = n // 128
    if n > 0 then byte = byte + 128 end
    out[#out + 1] = string.char(byte)
  until n == 0
  return table.concat(out)
end

local function field(number, bytes)  -- a length-delimited field
  return varint(number * 8 + 2) .. varint(#bytes) .. bytes
end

local function any(type_name, bytes)
  return field(1, "type.googleapis.com/" .. type_name) .. field(2, bytes)
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = 4
    if b == nil then chars = 2 elseif c == nil then chars = 3 end
    for j = 1, 4 do
      if j <= chars then
        local index = (n >> (6 * (4 - j))) & 63
        out[#out + 1] = B64:sub(index + 1, index + 1)
      else
        out[#out + 1] = "="
      end
    end
  end
  return table.concat(out)
end

local function percent(text)  -- grpc-message encoding: printable ASCII except '%%' stays as is
  return (text:gsub("[^ -$&-~]", function(c) return string.format("%%%%%%02X", c:byte()) end))
end

local function details(txn, case)
  local metadata = {}
  local rid = txn:get_var("txn.rid")
  if rid and rid ~= "" then metadata["request_id"] = rid end
  local missing = txn:get_var("txn.miss")
  if case[2] == "SCOPE_MISSING" and missing then metadata["missing_scopes"] = missing end
  local limit = txn:get_var("txn.limit")
  if case[2] == "RATE_LIMITED" and limit then metadata["limit"] = limit end
  local keys = {}
  for k in pairs(metadata) do keys[#keys + 1] = k end
  table.sort(keys)
  local info = field(1, case[2]) .. field(2, DOMAIN)
  for _, k in ipairs(keys) do info = info .. field(3, field(1, k) .. field(2, metadata[k])) end
  local out = field(3, any("google.rpc.ErrorInfo", info))
  if case[2] == "RATE_LIMITED" then
    local ms = tonumber(txn:get_var("txn.retry_ms") or 0) or 0
    local duration = ""
    if ms // 1000 > 0 then duration = duration .. varint(8) .. varint(ms // 1000) end
    if ms %% 1000 > 0 then duration = duration .. varint(16) .. varint((ms %% 1000) * 1000000) end
    out = out .. field(3, any("google.rpc.RetryInfo", field(1, duration)))
  end
  return base64(varint(8) .. varint(case[1]) .. field(2, case[3]) .. out)
end

-- A trailers-only gRPC response (HTTP 200, content-type and status in one HEADERS frame, no body). An applet,
-- because `http-request return` drops content-type when there is no payload, and strict clients need it.
core.register_service("grpc_refusal", "http", function(applet)
  local case = CASES[applet:get_var("txn.why") or ""] or {13, "INTERNAL", "internal error", "INTERNAL"}
  applet:set_var("txn.code", case[4])
  applet:set_status(200)
  applet:add_header("content-type", "application/grpc")
  applet:add_header("grpc-status", tostring(case[1]))
  applet:add_header("grpc-message", percent(case[3]))
  if case[2] ~= "" then applet:add_header("grpc-status-details-bin", details(applet, case)) end
  applet:start_response()
end)
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_lua(cases: dict[str, Refusal]) -> str:
    """The helper with its table of cases: ``CASES[id] = {code, reason, message, code name}``."""
    cases = {**cases, "unknown": UNIMPLEMENTED}
    rows = "\n".join(
        f"  [{_lua_string(case)}] = {{{refusal.code.value[0]}, {_lua_string(refusal.reason)}, "
        f"{_lua_string(refusal.message)}, {_lua_string(refusal.code.name)}}},"
        for case, refusal in sorted(cases.items())
    )
    header = "-- Rendered by `lienthong edge render`; do not edit.\nlocal CASES = {\n" + rows + "\n}\n"
    return header + _HELPER % {"domain": _lua_string(ERROR_DOMAIN)}
