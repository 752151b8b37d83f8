"""The gateway's HTTP face: REST/JSON transcoded from the contract's ``google.api.http`` rules, OpenAPI, the
GovStack Digital Registries routes and the identity HTTP endpoints, on one HTTP/1.1 + HTTP/2 listener."""
