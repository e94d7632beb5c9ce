import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { readFileSync } from 'node:fs';
import { protoPath } from 'grpc-health-check';
import type { CertFiles } from './test-certs';

export type HealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

type HealthClient = grpc.Client & {
  Check(req: { service: string }, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: { status: HealthStatus }) => void): void;
  Watch(req: { service: string }): grpc.ClientReadableStream<{ status: HealthStatus }>;
};

/** A raw grpc-js client of grpc.health.v1.Health, from the proto grpc-health-check ships. */
export function healthClient(address: string, tls?: { ca: string; client?: CertFiles }): HealthClient {
  const def = protoLoader.loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };
  const creds = tls
    ? grpc.credentials.createSsl(
        readFileSync(tls.ca),
        tls.client ? readFileSync(tls.client.key) : null,
        tls.client ? readFileSync(tls.client.cert) : null,
      )
    : grpc.credentials.createInsecure();
  return new pkg.grpc.health.v1.Health(address, creds) as unknown as HealthClient;
}

/** Check with a deadline; no metadata at all (no cluster secret). */
export function check(client: HealthClient, service: string, timeoutMs = 5000): Promise<HealthStatus> {
  return new Promise((resolve, reject) => {
    client.Check({ service }, { deadline: new Date(Date.now() + timeoutMs) }, (err, res) => (err ? reject(err) : resolve(res.status)));
  });
}
