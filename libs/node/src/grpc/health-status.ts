/** What the master's gRPC health answer depends on. */
export type HealthState = {
  /** The master finished starting (gRPC bound, HTTP listening). */
  started: boolean;
  /** Shutdown began: load balancers should stop sending new work here. */
  stopping: boolean;
  /** The database connection is up (mongoose's view; no round trip). */
  databaseUp: boolean;
};

export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/** One status for the whole server and each service: they share one process and database. */
export function servingStatus(s: HealthState): ServingStatus {
  return s.started && !s.stopping && s.databaseUp ? 'SERVING' : 'NOT_SERVING';
}

/**
 * Fully qualified service names in a @grpc/proto-loader package definition: messages and
 * enums carry a `format` field, services are plain maps of methods.
 */
export function serviceNames(definition: Record<string, object>): string[] {
  return Object.entries(definition)
    .filter(([, v]) => !('format' in v))
    .map(([name]) => name);
}
