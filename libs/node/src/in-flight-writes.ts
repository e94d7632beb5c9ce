/**
 * Writes started without being awaited (a heartbeat's sample, a node's environment list),
 * remembered until they settle, so the module that started them can wait for them in
 * `onModuleDestroy`, before the database connection closes (`onApplicationShutdown`): a write
 * in flight then neither fails on a closed client nor is lost.
 */
export class InFlightWrites {
  private readonly open = new Set<Promise<unknown>>();

  track<T>(write: Promise<T>): Promise<T> {
    this.open.add(write);
    const done = () => void this.open.delete(write);
    write.then(done, done);
    return write;
  }

  /** Resolves once every tracked write has settled, including ones started meanwhile (a follow-up write). */
  async settled(): Promise<void> {
    while (this.open.size > 0) await Promise.allSettled([...this.open]);
  }
}
