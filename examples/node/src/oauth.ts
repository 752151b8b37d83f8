// A token from the OAuth 2.0 token endpoint (RFC 6749 client credentials, client_secret_basic), found from the
// issuer URL alone through its RFC 8414 metadata. Any OAuth library does the same; this is plain fetch().

/** An access token for `scopes`, from the token endpoint the issuer's metadata names. */
export async function tokenFromHttp(issuer: string, clientId: string, secret: string, scopes: string[]): Promise<string> {
  const metadata = await (await fetch(new URL("/.well-known/oauth-authorization-server", issuer))).json();
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64");
  const reply = await fetch(metadata.token_endpoint, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: scopes.join(" ") }),
  });
  const body = await reply.json();
  if (!reply.ok) throw new Error(`token endpoint: ${body.error} (${body.reason ?? body.error_description})`);
  return body.access_token;
}
