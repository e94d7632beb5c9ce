import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** What the bench reads of a received delivery. */
export type Seen = { path: string; at: number; eventAt: string | null; signatureOk: boolean | undefined };

/**
 * test/support's HookReceiver run in a thread of the bench at nice 10 (niced-receiver.thread.ts).
 * In production a webhook receiver runs on other machines; here it shares the two cores with
 * the cluster, and at the main thread's priority its signature checks and JSON parsing (ten
 * requests per task with ten rules) took CPU from the dispatch being measured. At a lower
 * priority it runs in what the cluster leaves idle; it still checks every signature.
 */
export class NicedHookReceiver {
  private nextId = 1;
  private readonly waiting = new Map<number, (v: unknown) => void>();
  private constructor(
    private readonly worker: Worker,
    private readonly port: number,
  ) {
    worker.on('message', (m: { id: number; value: unknown }) => {
      this.waiting.get(m.id)?.(m.value);
      this.waiting.delete(m.id);
    });
  }

  static async start(nice = 10): Promise<NicedHookReceiver> {
    const worker = new Worker(join(__dirname, 'niced-receiver.thread.js'), { workerData: { nice } });
    const port = await new Promise<number>((ok, fail) => {
      worker.once('message', (m: { port: number }) => ok(m.port));
      worker.once('error', fail);
    });
    return new NicedHookReceiver(worker, port);
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  secret(path: string, secret: string): Promise<void> {
    return this.ask({ op: 'secret', path, secret }) as Promise<void>;
  }

  /** Deliveries received on paths starting with `prefix`, and how many of them carried a bad signature. */
  count(prefix: string): Promise<{ received: number; badSignatures: number }> {
    return this.ask({ op: 'count', prefix }) as Promise<{ received: number; badSignatures: number }>;
  }

  on(path: string): Promise<Seen[]> {
    return this.ask({ op: 'on', path }) as Promise<Seen[]>;
  }

  async close(): Promise<void> {
    await this.ask({ op: 'close' });
    await this.worker.terminate();
  }

  private ask(q: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((ok) => {
      this.waiting.set(id, ok);
      this.worker.postMessage({ id, ...q });
    });
  }
}
