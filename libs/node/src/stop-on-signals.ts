import { Logger } from '@nestjs/common';

/**
 * SIGTERM/SIGINT run `stop` once (a second signal while stopping is ignored), then exit
 * 0, or 1 when stopping failed. Shared by the master and the worker entry points.
 */
export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.log({ msg: 'stopping', signal });
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ msg: 'shutdown failed', err: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
