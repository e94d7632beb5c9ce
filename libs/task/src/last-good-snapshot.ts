/**
 * A value loaded on demand for a metrics scrape: concurrent readers share one load, a load
 * that fails or outlasts `timeoutMs` leaves the last good value in place (undefined before the
 * first success), and the failure goes to `onError` instead of failing the scrape.
 */
export class LastGoodSnapshot<T> {
  private last: T | undefined;
  private inFlight: Promise<T | undefined> | undefined;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly timeoutMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get(): Promise<T | undefined> {
    this.inFlight ??= this.loadOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async loadOnce(): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      this.last = await Promise.race([this.load(), timeout]);
    } catch (err) {
      this.onError(err);
    } finally {
      clearTimeout(timer);
    }
    return this.last;
  }
}
