import type { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import { NodeSessionService } from '@crawlnest/node';

/** In-flight REST requests get this long; what is still open then (SSE followers) is cut. */
export const HTTP_GRACE_MS = 5_000;
/** In-flight gRPC calls (reports, file downloads) get this long before the server is forced. */
export const GRPC_GRACE_MS = 10_000;
/** Whatever happens, the master is gone this long after SIGTERM. */
export const SHUTDOWN_DEADLINE_MS = 30_000;

export type ShutdownSteps = {
  /** Tell probes first (gRPC health NOT_SERVING), before anything closes. */
  announce?: () => void;
  /** Stop the gRPC server; resolves when in-flight calls have finished. */
  closeGrpc: () => Promise<void>;
  /** Force the gRPC server down (calls still open after the grace). */
  forceGrpc: () => void;
  /** Release what lives outside the app (the embedded database). */
  afterApp?: () => Promise<void>;
};

/**
 * The master's stop, in the order the issue fixes: HTTP first (no new requests, in-flight
 * ones finish), then gRPC (control streams ended so workers move on, in-flight calls
 * finish), then the app (crons, database connection), then the embedded database. Each
 * phase is logged with its duration; a hard deadline exits whatever hangs.
 */
export async function shutdownMaster(app: NestExpressApplication, log: Logger, steps: ShutdownSteps): Promise<void> {
  const t0 = Date.now();
  const deadline = setTimeout(() => {
    log.error({ msg: 'shutdown deadline passed; exiting', deadlineMs: SHUTDOWN_DEADLINE_MS });
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  const phase = async (name: string, run: () => Promise<unknown>) => {
    const started = Date.now();
    const detail = await run();
    log.log({ msg: 'shutdown phase done', phase: name, ms: Date.now() - started, sinceSignalMs: Date.now() - t0, ...(detail && typeof detail === 'object' ? detail : {}) });
  };

  steps.announce?.();
  await phase('http', () => closeHttp(app.getHttpServer() as Server, HTTP_GRACE_MS));
  await phase('grpc', async () => {
    // Stop taking calls first, so a worker whose stream ends cannot open a new one here;
    // then end the control streams (they never end on their own) and let the rest finish.
    const closed = steps.closeGrpc();
    const streams = await app.get(NodeSessionService).closeAllStreams();
    const forced = await withGrace(closed, GRPC_GRACE_MS, steps.forceGrpc);
    return { controlStreams: streams, forced };
  });
  await phase('app+database', () => app.close());
  if (steps.afterApp) await phase('embedded database', steps.afterApp);
  clearTimeout(deadline);
  log.log({ msg: 'master stopped', ms: Date.now() - t0 });
}

/** Stops accepting, lets in-flight requests end within `graceMs`, then cuts what is left. */
export function closeHttp(server: Server, graceMs: number): Promise<{ cut: boolean }> {
  return new Promise((resolve) => {
    let cut = false;
    const t = setTimeout(() => {
      cut = true;
      server.closeAllConnections();
    }, graceMs);
    // A keep-alive connection whose response ends after close() stays open until its idle
    // timeout unless closed too: sweep idle connections until the server is closed.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearTimeout(t);
      clearInterval(sweep);
      resolve({ cut });
    });
    server.closeIdleConnections();
  });
}

/** Waits for `done`; past `graceMs`, calls `force` and waits for `done` to settle after it. */
async function withGrace(done: Promise<void>, graceMs: number, force: () => void): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([done.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
  clearTimeout(timer);
  if (inTime) return false;
  force();
  await done.catch(() => undefined);
  return true;
}
