#!/usr/bin/env bash
# The quick start over REST/JSON with curl: token, disclosure policy, citizen, purpose-bound read, access log.
#
#   make run                                   # in one terminal: prints the REST URL (default :8080)
#   bash examples/rest/walkthrough.sh [BASE_URL] [CREDENTIALS_JSON]
#
# Every call goes through the gateway's REST face, which transcodes it to the same gRPC call the Python
# quick start makes (examples/quickstart.py): same token checks, scopes, rate limits, audit and errors
# (AIP-193 JSON with the same ErrorInfo reasons). The OpenAPI document is at $BASE/openapi.json.
# Needs curl and jq.
set -euo pipefail

BASE="${1:-http://127.0.0.1:8080}"
CREDENTIALS="${2:-.lienthong/demo-credentials.json}"
PURPOSE="immigration.passport_application"
cred() { jq -r ".$1" "$CREDENTIALS"; }
# -f: fail on an HTTP error (the AIP-193 body is printed by --fail-with-body); -sS: quiet, but show errors.
call() { curl -sS --fail-with-body -H 'content-type: application/json' "$@"; }

# 1. Tokens: the standard OAuth 2.0 token endpoint (RFC 6749 client credentials, client_secret_basic), passed by
#    the front door to identity. IssueToken's REST route, POST /v1/tokens:issue, gives the same token.
token() { # token CLIENT_ID CLIENT_SECRET SCOPE...
  local id="$1" secret="$2"; shift 2
  curl -sS --fail-with-body -u "$id:$secret" -d grant_type=client_credentials --data-urlencode "scope=$*" \
    "$BASE/oauth2/token" | jq -r .access_token
}
ADMIN=$(token "$(cred admin_client_id)" "$(cred admin_client_secret)" registry.policies.admin)
AGENCY=$(token "$(cred client_id)" "$(cred client_secret)" \
  registry.citizens.write registry.citizens.read registry.access_log.audit)
echo "1. tokens issued"

# 2. The platform operator lets the demo agency read four fields for one purpose (PUT = create or replace).
call -X PUT "$BASE/v1/agencies/$(cred agency_id)/disclosurePolicies/$PURPOSE" -H "authorization: Bearer $ADMIN" \
  -d '{"legalBasis": "Luật Xuất nhập cảnh 2019", "fields": ["full_name", "date_of_birth", "sex", "nationality"]}' \
  | jq -c '{policy: .policy.purpose, fields: .policy.fields}'

# 3. The agency registers a citizen: 001 = Hà Nội, 3 = 21st-century female, 05 = born 2005, six random digits.
PERSONAL_ID="001305$(printf '%06d' $((RANDOM * 32 % 1000000)))"
ADDRESS='{"provinceCode": "01", "wardCode": "00004", "detail": "12 phố Lý Thái Tổ"}'
call -X POST "$BASE/v1/citizens" -H "authorization: Bearer $AGENCY" -d "{
  \"citizen\": {\"personalId\": \"$PERSONAL_ID\", \"fullName\": \"Nguyễn Thị Minh Khai\",
    \"dateOfBirth\": {\"year\": 2005, \"month\": 3, \"day\": 8}, \"sex\": \"SEX_FEMALE\", \"nationality\": \"VN\",
    \"placeOfBirth\": $ADDRESS, \"permanentAddress\": $ADDRESS, \"currentAddress\": $ADDRESS,
    \"householdId\": \"HK-$PERSONAL_ID\", \"householdRelation\": \"HOUSEHOLD_RELATION_HEAD\",
    \"lifeStatus\": \"LIFE_STATUS_ALIVE\"},
  \"legalReason\": \"Đăng ký khai sinh (demo)\"}" | jq -c '{registered: .citizen.personalId, version: .citizen.version}'

# 4. It reads the record back for the purpose: only the fields the policy allows come back. Logged.
call "$BASE/v1/citizens/$PERSONAL_ID?purpose=$PURPOSE" -H "authorization: Bearer $AGENCY" \
  | jq -c '{read: .citizen.personalId, disclosed: .citizen.disclosedFields}'

# 5. The agency's access log for that citizen: the read is there, hash-chained.
call "$BASE/v1/accessLogEntries?personalId=$PERSONAL_ID" -H "authorization: Bearer $AGENCY" \
  | jq -c '.entries[] | {sequence, action, purpose, fieldsDisclosed}'
