// Decoding the error details every refusal carries: the `grpc-status-details-bin` trailer is a serialized
// google.rpc.Status whose `details` hold a google.rpc.ErrorInfo (reason, domain, metadata) and, for bad input, a
// google.rpc.BadRequest. Those messages live in googleapis (google/rpc/status.proto, error_details.proto), not
// in proto/; the two this example needs are small enough to declare here with protobufjs.
import type { ServiceError } from "@grpc/grpc-js";
import protobuf from "protobufjs";

// protobufjs' JSON descriptor form (its INamespace type does not spell out map fields).
const descriptor: protobuf.INamespace = {
  nested: {
    google: {
      nested: {
        protobuf: { nested: { Any: { fields: { type_url: { type: "string", id: 1 }, value: { type: "bytes", id: 2 } } } } },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: "int32", id: 1 },
                message: { type: "string", id: 2 },
                details: { rule: "repeated", type: "google.protobuf.Any", id: 3 },
              },
            },
            ErrorInfo: {
              fields: {
                reason: { type: "string", id: 1 },
                domain: { type: "string", id: 2 },
                metadata: { keyType: "string", type: "string", id: 3 },
              },
            },
          },
        },
      },
    },
  },
} as protobuf.INamespace;
const root = protobuf.Root.fromJSON(descriptor);
const Status = root.lookupType("google.rpc.Status");
const ErrorInfo = root.lookupType("google.rpc.ErrorInfo");

export interface Info {
  reason: string;
  domain: string;
  metadata: Record<string, string>;
}

/** The ErrorInfo of a failed call, or undefined when the server sent none. */
export function errorInfo(err: ServiceError): Info | undefined {
  const raw = err.metadata?.get("grpc-status-details-bin")?.[0];
  if (!raw) return undefined;
  const status = Status.decode(raw as Buffer) as unknown as { details: { type_url: string; value: Uint8Array }[] };
  const any = status.details.find((d) => d.type_url.endsWith("/google.rpc.ErrorInfo"));
  return any ? (ErrorInfo.toObject(ErrorInfo.decode(any.value)) as Info) : undefined;
}
