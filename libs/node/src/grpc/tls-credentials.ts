import * as grpc from '@grpc/grpc-js';

/**
 * The master's TLS material. With `clientCa`, the server is mutual TLS: every client must
 * present a certificate signed by that CA, and the handshake fails otherwise.
 */
export type GrpcServerTls = { cert: Buffer; key: Buffer; clientCa?: Buffer };

/**
 * A worker's TLS material: `ca` is the trust root for the master's certificate; `cert`/`key`
 * are the worker's own certificate for a master that requires one (mTLS). `serverName`
 * overrides the name checked against the master's certificate (default: the host dialled).
 */
export type GrpcClientTls = { ca: Buffer; cert?: Buffer; key?: Buffer; serverName?: string };

/** Plaintext without TLS material, as before TLS existed. */
export function grpcServerCredentials(tls?: GrpcServerTls): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    tls.clientCa ?? null,
    [{ cert_chain: tls.cert, private_key: tls.key }],
    tls.clientCa !== undefined,
  );
}

export function grpcClientCredentials(tls?: GrpcClientTls): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(tls.ca, tls.key ?? null, tls.cert ?? null);
}

/** Channel options that go with the credentials: the server-name override, when set. */
export function grpcClientTlsOptions(tls?: GrpcClientTls): grpc.ChannelOptions {
  if (!tls?.serverName) return {};
  return { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName };
}
