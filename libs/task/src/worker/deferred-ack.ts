import type { ShipResult } from './seq-shipper';

/**
 * How long the acknowledgement of an assignment may wait for the start report that can carry
 * it. Well under the master's smallest ack timeout (CRAWLNEST_ACK_TIMEOUT_MS ≥ 500 ms), so an
 * ack sent when the window ends still lands in time.
 */
export const ACK_FOLD_WINDOW_MS = 250;
/** With the master's ack timeout known, the Ack may wait this share of it (the rest covers its own trip), */
const ACK_TIMEOUT_SHARE = 0.25;
/** but never longer than this: a start slower than that is not milliseconds away. */
const ACK_FOLD_MAX_MS = 2000;

/** How long to wait for the start before acking alone: a quarter of the master's ack timeout when it says it, else ACK_FOLD_WINDOW_MS. */
export function ackFoldWindowMs(masterAckTimeoutMs: number | undefined): number {
  if (!masterAckTimeoutMs || masterAckTimeoutMs <= 0) return ACK_FOLD_WINDOW_MS;
  return Math.min(ACK_FOLD_MAX_MS, Math.max(ACK_FOLD_WINDOW_MS, Math.floor(masterAckTimeoutMs * ACK_TIMEOUT_SHARE)));
}

/**
 * The acknowledgement of an assignment whose spider version the worker already holds: the
 * start comes within milliseconds, and a Started report for an unacknowledged attempt
 * acknowledges it too (the master applies it from `assigned` and sets `ackedAt`), so one
 * report does the work of two. If the start is not ready within the window (a slow manifest,
 * an environment to build), the Ack goes then, on its own, as it always did.
 *
 * Either way the command starts only after the master accepted the attempt (the Ack's answer,
 * or the folded Started's): a stale or cancelled attempt never runs.
 */
export class DeferredAck {
  private sent: Promise<ShipResult> | null = null;
  private folded = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sendAck: () => Promise<ShipResult>,
    windowMs = ACK_FOLD_WINDOW_MS,
  ) {
    this.timer = setTimeout(() => void this.ackNow().catch(() => undefined), windowMs);
    this.timer.unref();
  }

  /** Sends the Ack now unless it went already or was folded; answers it (folded: accepted by the start's answer, which the caller awaits). */
  ackNow(): Promise<ShipResult> {
    clearTimeout(this.timer);
    if (this.folded) return Promise.resolve({ accepted: true, reason: '' });
    this.sent ??= this.sendAck();
    return this.sent;
  }

  /**
   * The start is about to be reported. `fold`: no Ack went, the Started report carries it
   * (its answer decides whether the command runs). Otherwise the Ack's answer decides.
   */
  takeForStart(): { fold: true } | { fold: false; ack: Promise<ShipResult> } {
    clearTimeout(this.timer);
    if (this.sent) return { fold: false, ack: this.sent };
    this.folded = true;
    return { fold: true };
  }

  /** The run ends before its start (a failed sync, a stop): no Ack goes after its final report. */
  cancel(): void {
    clearTimeout(this.timer);
    if (!this.sent) this.folded = true;
  }
}
