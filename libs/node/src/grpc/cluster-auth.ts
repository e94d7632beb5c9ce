import type { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { Metadata, status } from '@grpc/grpc-js';
import { timingSafeEqual } from 'node:crypto';

/** Metadata key that carries CRAWLNEST_CLUSTER_SECRET on every worker → master call. */
export const CLUSTER_SECRET_METADATA_KEY = 'x-crawlnest-cluster-secret';

export function clusterMetadata(secret: string): Metadata {
  const md = new Metadata();
  md.set(CLUSTER_SECRET_METADATA_KEY, secret);
  return md;
}

export function hasClusterSecret(metadata: Metadata | undefined, secret: string): boolean {
  const given = metadata?.get(CLUSTER_SECRET_METADATA_KEY)[0];
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const UNAUTHENTICATED_ERROR = {
  code: status.UNAUTHENTICATED,
  message: 'missing or wrong cluster secret',
};

/** For unary and server-streaming handlers: logs the refusal and throws UNAUTHENTICATED. */
export function assertClusterSecret(metadata: Metadata | undefined, secret: string, rpc: string, log: Logger): void {
  if (hasClusterSecret(metadata, secret)) return;
  log.warn({ msg: 'gRPC call refused: bad cluster secret', rpc });
  throw new RpcException(UNAUTHENTICATED_ERROR);
}
