import { Injectable } from '@nestjs/common';

/**
 * "A fact was just recorded on this replica": the events sink raises it right after its insert
 * and the notifier wakes at once instead of at its next poll. A class of its own because the
 * sink sits under libs/task's close path and the notifier reads tasks: injecting one into the
 * other would make a cycle.
 */
@Injectable()
export class OutboxSignal {
  private listener: (() => void) | null = null;

  listen(fn: () => void): void {
    this.listener = fn;
  }

  raise(): void {
    this.listener?.();
  }
}
