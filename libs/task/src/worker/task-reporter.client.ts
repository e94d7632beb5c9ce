import { Injectable, Logger } from '@nestjs/common';
import { AssignmentMsg, backoffDelay, MasterLinkClient, unaryCall } from '@crawlnest/node';
import type { EnvStageStats, SyncStats } from '@crawlnest/sync';
import type { AttemptResults } from '../task.types';
import type { OutLine, ShipResult } from './log-shipper';

const CALL_TIMEOUT_MS = 5000;
const LINK_WAIT_MS = 5000;

export type Ref = { taskId: string; attempt: number; nodeId: string };

/** TaskService calls to whichever master the link is connected to. */
@Injectable()
export class TaskReporterClient {
  private readonly log = new Logger(TaskReporterClient.name);

  constructor(private readonly link: MasterLinkClient) {}

  ref(a: AssignmentMsg): Ref {
    return { taskId: a.taskId, attempt: a.attempt, nodeId: this.link.nodeId };
  }

  ack(ref: Ref): Promise<ShipResult> {
    return this.call('Ack', ref);
  }

  started(ref: Ref, pid: number, sync: SyncStats | null, environment: EnvStageStats | null = null): Promise<ShipResult> {
    return this.call('Started', { ref, pid, sync, environment });
  }

  appendLogs(ref: Ref, lines: OutLine[]): Promise<ShipResult> {
    return this.call('AppendLogs', { ref, lines });
  }

  finished(
    ref: Ref,
    r: {
      status: 'finished' | 'error' | 'cancelled' | 'abnormal' | 'handback';
      exitCode: number | null;
      error: string | null;
      sync: SyncStats | null;
      environment?: EnvStageStats | null;
      results?: AttemptResults | null;
    },
  ): Promise<ShipResult> {
    return this.call('Finished', {
      ref,
      status: r.status,
      exitCode: r.exitCode ?? 0,
      hasExitCode: r.exitCode !== null,
      error: r.error ?? '',
      sync: r.sync,
      environment: r.environment ?? null,
      results: r.results ?? null,
    });
  }

  /**
   * Retries until the master answers (accepted or refused) or `stop()` says to give up:
   * a report lost to a broken link is re-sent after the link comes back.
   */
  async untilAnswered(what: string, fn: () => Promise<ShipResult>, stop: () => boolean = () => false): Promise<ShipResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (stop()) throw err;
        this.log.warn({ msg: 'report failed, retrying', what, attempt, err: err instanceof Error ? err.message : String(err) });
        await new Promise((r) => setTimeout(r, backoffDelay(attempt, 100, 2000)));
      }
    }
  }

  private async call(method: string, req: unknown): Promise<ShipResult> {
    const clients = await this.link.waitConnected(LINK_WAIT_MS);
    return unaryCall<unknown, ShipResult>(clients.task, method, req, this.link.metadata, CALL_TIMEOUT_MS);
  }
}
