import type { GrpcClientTls } from '../grpc/tls-credentials';
import type { Label } from '../node.types';

export const MASTER_LINK_OPTIONS = Symbol('MASTER_LINK_OPTIONS');

export type MasterLinkOptions = {
  /** host:port of each master replica, tried in order (failover). */
  masters: string[];
  clusterSecret: string;
  workspace: string;
  nodeName?: string;
  labels: Label[];
  maxRunners: number;
  heartbeatMs: number;
  version: string;
  /** TLS to the masters; plaintext when unset. */
  tls?: GrpcClientTls;
};
