// The quickstart journey from Node, built from the contract in proto/ alone (@grpc/grpc-js + @grpc/proto-loader):
// a token (IssueToken over gRPC, or POST /oauth2/token over HTTP), a disclosure policy, a citizen, a
// purpose-bound read and the record's access log. See README.md.
//
//   node dist/quickstart.js [--target 127.0.0.1:50051] [--credentials ../../.lienthong/demo-credentials.json]
//                           [--issuer http://127.0.0.1:8061] [--proto ../../proto]
// With --issuer the tokens come from the OAuth token endpoint named in the issuer's metadata.
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { errorInfo } from "./status.js";
import { tokenFromHttp } from "./oauth.js";

const PURPOSE = "immigration.passport_application";

const { values: args } = parseArgs({
  options: {
    target: { type: "string", default: "127.0.0.1:50051" },
    credentials: { type: "string", default: "../../.lienthong/demo-credentials.json" },
    issuer: { type: "string" },
    proto: { type: "string", default: new URL("../../../proto", import.meta.url).pathname },
    "service-config": {
      type: "string",
      default: new URL("../../../client/src/lienthong/service_config.json", import.meta.url).pathname,
    },
  },
});

// proto/ is the include root: every import in the contract is relative to it (lienthong/common/v1/...).
// google/protobuf/*.proto come with proto-loader.
const definition = protoLoader.loadSync(
  ["lienthong/identity/v1/identity.proto", "lienthong/registry/v1/registry.proto"],
  { includeDirs: [args.proto!], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const api = grpc.loadPackageDefinition(definition) as any;

// The platform's retry and deadline policy, as a standard gRPC service config (client/README.md), when the
// checkout has it: retries of UNAVAILABLE with backoff and a 30 s default deadline, the same as the Python client.
const configPath = args["service-config"]!;
const options: grpc.ChannelOptions = existsSync(configPath)
  ? { "grpc.service_config": readFileSync(configPath, "utf8") }
  : {};

// Plaintext is for the local suite only: a bearer token on a plaintext channel can be read by anyone on the
// path. In production use grpc.credentials.createSsl() against the TLS port.
const insecure = grpc.credentials.createInsecure();
const identity = new api.lienthong.identity.v1.IdentityService(args.target, insecure, options);
const registry = new api.lienthong.registry.v1.RegistryService(args.target, insecure, options);

// A unary call as a promise, with a deadline (the platform's service config uses 30 s).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function call<T>(client: any, method: string, request: object, token?: string): Promise<T> {
  const metadata = new grpc.Metadata();
  if (token) metadata.set("authorization", `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: Date.now() + 30_000 }, (err: grpc.ServiceError | null, reply: T) =>
      err ? reject(err) : resolve(reply),
    );
  });
}

async function token(clientId: string, secret: string, scopes: string[]): Promise<string> {
  if (args.issuer) return tokenFromHttp(args.issuer, clientId, secret, scopes);
  const reply = await call<{ access_token: string }>(identity, "IssueToken", {
    client_id: clientId,
    client_secret: secret,
    scopes,
  });
  return reply.access_token;
}

async function main(): Promise<void> {
  const creds = JSON.parse(readFileSync(args.credentials!, "utf8"));
  const admin = await token(creds.admin_client_id, creds.admin_client_secret, ["registry.policies.admin"]);
  const agency = await token(creds.client_id, creds.client_secret, [
    "registry.citizens.write",
    "registry.citizens.read",
    "registry.access_log.audit",
  ]);
  console.log(`0. tokens via ${args.issuer ? "POST /oauth2/token" : "IssueToken"}`);

  const fields = ["full_name", "date_of_birth", "sex", "nationality"];
  const policy = {
    agency_id: creds.agency_id,
    purpose: PURPOSE,
    legal_basis: "Luật Xuất nhập cảnh 2019",
    fields,
  };
  await call(registry, "SetDisclosurePolicy", { policy }, admin);
  console.log(`1. policy for purpose ${PURPOSE}: ${fields.join(",")}`);

  // 001 = Hà Nội, 3 = 21st century female, 05 = born 2005, then six random digits.
  const personalId = `001305${String(Math.floor(Math.random() * 1_000_000)).padStart(6, "0")}`;
  const address = { province_code: "01", ward_code: "00004", detail: "12 phố Lý Thái Tổ" };
  const citizen = {
    personal_id: personalId,
    full_name: "Nguyễn Thị Minh Khai",
    date_of_birth: { year: 2005, month: 3, day: 8 },
    sex: "SEX_FEMALE",
    nationality: "VN",
    place_of_birth: { province_code: "01", ward_code: "00004", detail: "Bệnh viện Phụ sản" },
    permanent_address: address,
    current_address: address,
    household_id: `HK-${personalId}`,
    household_relation: "HOUSEHOLD_RELATION_HEAD",
    life_status: "LIFE_STATUS_ALIVE",
  };
  await call(registry, "CreateCitizen", { citizen, legal_reason: "Đăng ký khai sinh (demo)" }, agency);
  console.log(`2. registered citizen ${personalId}`);

  const read = await call<{ citizen: { disclosed_fields: string[]; full_name: string } }>(
    registry,
    "GetCitizen",
    { personal_id: personalId, purpose: PURPOSE },
    agency,
  );
  console.log(`3. read for ${PURPOSE}: disclosed ${read.citizen.disclosed_fields.join(",")}`);

  const log = await call<{ entries: { sequence: string; action: string; client_id: string; purpose: string }[] }>(
    registry,
    "ListAccessLog",
    { personal_id: personalId },
    agency,
  );
  for (const entry of log.entries) {
    console.log(`4. access log #${entry.sequence}: ${entry.action} by ${entry.client_id} for ${entry.purpose}`);
  }

  // A refusal carries google.rpc.Status with an ErrorInfo reason in the grpc-status-details-bin trailer.
  try {
    await call(registry, "GetCitizen", { personal_id: personalId, purpose: PURPOSE }, "not-a-token");
  } catch (err) {
    const info = errorInfo(err as grpc.ServiceError);
    console.log(`5. refused: ${grpc.status[(err as grpc.ServiceError).code]} reason ${info?.reason ?? "?"}`);
  }
}

main()
  .then(() => process.exit(0))
  .catch((err) => {
    console.error(`call failed: ${err.code ?? ""} ${err.details ?? err.message}`);
    process.exit(1);
  });
