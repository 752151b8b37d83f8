// openid-client (a certified OpenID Connect relying-party library) reads the issuer's discovery document,
// checks that its `issuer` is the URL it was fetched from, and obtains a client-credentials token from the
// token endpoint it names. Prints the metadata it accepted and the token's scope.
//
//   node dist/discover.js --issuer http://127.0.0.1:8061 --credentials ../../.lienthong/demo-credentials.json
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as client from "openid-client";

const { values: args } = parseArgs({
  options: { issuer: { type: "string" }, credentials: { type: "string" } },
});
const creds = JSON.parse(readFileSync(args.credentials!, "utf8"));
// The local suite serves plain HTTP; production issuers are https:// and need no such option.
const local = new URL(args.issuer!).protocol === "http:" ? { execute: [client.allowInsecureRequests] } : {};
const config = await client.discovery(new URL(args.issuer!), creds.client_id, creds.client_secret, undefined, local);
const server = config.serverMetadata();
const token = await client.clientCredentialsGrant(config, { scope: "registry.citizens.read" });
console.log(
  JSON.stringify({
    issuer: server.issuer,
    token_endpoint: server.token_endpoint,
    jwks_uri: server.jwks_uri,
    token_type: token.token_type,
    scope: token.scope,
    expires_in: token.expires_in,
  }),
);
