import { Injectable } from '@nestjs/common';
import type { OutboxFact } from './outbox.repository';

/**
 * "A fact was just recorded on this replica": the events sink raises it right after its insert,
 * with the fact, and the notifier takes it from memory at once instead of reading the outbox
 * (the outbox's poll stays the fallback: for facts of other replicas and after a restart). A
 * class of its own because the sink sits under libs/task's close path and the notifier reads
 * tasks: injecting one into the other would make a cycle.
 */
@Injectable()
export class OutboxSignal {
  private listener: ((fact: OutboxFact | null) => void) | null = null;

  listen(fn: (fact: OutboxFact | null) => void): void {
    this.listener = fn;
  }

  /** `fact`: the one this replica just inserted; null when the insert found it there already (a replayed close). */
  raise(fact: OutboxFact | null): void {
    this.listener?.(fact);
  }
}
