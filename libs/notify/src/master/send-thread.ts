import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import type { Message } from '../message-format';
import { HttpAgents, httpSend, keptAliveAgents, SendOutcome, SendTarget } from './http-send';
import type { SendRequest } from './send-thread.worker';

/** The sender thread's nice value: above the main thread's 0, so dispatch gets the CPU first. */
export const SENDER_NICE = 10;
/** How long past a send's own timeout the main thread waits for the thread's answer before giving the attempt up as unknown. */
const THREAD_GRACE_MS = 15_000;

type Waiting = { resolve: (o: SendOutcome) => void; timer: NodeJS.Timeout };

/**
 * Webhook and chat sends, made by one sender thread (send-thread.worker.ts) at a lower CPU
 * priority. The thread is started on the first send and again after it dies; a send in flight
 * when it died, or one it never answered, ends as a retryable failure (the delivery's retry
 * resends it with the same delivery id). Where the compiled thread file is absent (the unit
 * tests run the TypeScript sources), sends are made inline.
 */
export class SendThread {
  private readonly log = new Logger(SendThread.name);
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private inlineAgents: HttpAgents | null = null;
  private closed = false;
  private readonly threaded: boolean;

  constructor(
    private readonly file = join(__dirname, 'send-thread.worker.js'),
    private readonly nice = SENDER_NICE,
  ) {
    this.threaded = existsSync(file);
  }

  send(target: SendTarget, message: Message, timeoutMs: number): Promise<SendOutcome> {
    if (!this.threaded) return httpSend(target, message, timeoutMs, this.agents());
    const w = this.thread();
    const id = this.nextId++;
    return new Promise<SendOutcome>((resolve) => {
      const timer = setTimeout(() => this.answer(id, unknownOutcome(`the sender thread did not answer within ${timeoutMs + THREAD_GRACE_MS} ms`, timeoutMs + THREAD_GRACE_MS)), timeoutMs + THREAD_GRACE_MS);
      this.waiting.set(id, { resolve, timer });
      const req: SendRequest = { id, target, message, timeoutMs };
      w.postMessage(req);
    });
  }

  /** Stops the thread (after the notifier waited for its sends); inline connections are closed. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
    this.inlineAgents?.http.destroy();
    this.inlineAgents?.https.destroy();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.file, { workerData: { nice: this.nice } });
    // The master's lifetime is its own: a sender thread never keeps it running.
    w.unref();
    w.on('message', (m: { id: number; outcome: SendOutcome }) => this.answer(m.id, m.outcome));
    w.on('error', (err) => this.log.warn({ msg: 'notification sender thread failed', err: String(err) }));
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = null;
      if (!this.closed) this.log.warn({ msg: 'notification sender thread stopped; the next send starts another', exitCode: code, inFlight: this.waiting.size });
      // Whatever it had in hand may or may not have reached its receiver: each is retried.
      for (const id of [...this.waiting.keys()]) this.answer(id, unknownOutcome(`the sender thread stopped (exit code ${code}) during the send`, 0));
    });
    this.worker = w;
    return w;
  }

  private answer(id: number, outcome: SendOutcome): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    w.resolve(outcome);
  }

  private agents(): HttpAgents {
    this.inlineAgents ??= keptAliveAgents();
    return this.inlineAgents;
  }
}

/** A send whose fate is not known: retried, so a receiver may see its delivery id twice. */
function unknownOutcome(error: string, latencyMs: number): SendOutcome {
  return { ok: false, retryable: true, responseCode: null, error: `${error}: not known whether it reached the receiver`, retryAfterMs: null, latencyMs };
}
