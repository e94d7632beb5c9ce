/**
 * One pass of a periodic job at a time, and none once stopping. `stop()` waits for the pass in
 * flight: a module awaits it in `onModuleDestroy`, which Nest runs before the database
 * connection closes (`onApplicationShutdown`), so a pass never fails on a closed client and
 * logs nothing at shutdown. Clearing the interval alone (what @nestjs/schedule does) leaves
 * the pass in flight running into the closed client.
 */
export class OnePass {
  private current: Promise<void> | null = null;
  private stopped = false;

  /** Starts `pass` unless one is in flight or the job is stopping; resolves when it ends. */
  run(pass: () => Promise<void>): Promise<void> {
    if (this.stopped || this.current) return Promise.resolve();
    this.current = pass().finally(() => (this.current = null));
    return this.current;
  }

  get stopping(): boolean {
    return this.stopped;
  }

  /** No pass starts after this; resolves once the one in flight has ended (failed or not). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.catch(() => undefined);
  }
}
