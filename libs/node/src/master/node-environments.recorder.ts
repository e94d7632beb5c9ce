import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InFlightWrites } from '../in-flight-writes';
import type { EnvironmentMsg } from '../grpc/messages';
import { NodeEnvironment, NodeEnvironmentsRepository } from './node-environments.repository';

type Slot = { lastJson: string; writing: boolean; next?: NodeEnvironment[] };

/**
 * Stores what each worker's heartbeat says about its environment cache, only when it
 * changed, with at most one write per node in flight (the newest list wins).
 */
@Injectable()
export class NodeEnvironmentsRecorder implements OnModuleDestroy {
  private readonly log = new Logger(NodeEnvironmentsRecorder.name);
  private readonly slots = new Map<string, Slot>();
  private readonly writes = new InFlightWrites();

  constructor(private readonly repo: NodeEnvironmentsRepository) {}

  onModuleDestroy(): Promise<void> {
    return this.writes.settled();
  }

  record(nodeId: string, reported: EnvironmentMsg[]): void {
    const list: NodeEnvironment[] = reported.map((e) => ({
      key: e.key,
      kind: e.kind,
      sizeBytes: Number(e.sizeBytes),
      lastUsedAt: Number(e.lastUsedAtMs) > 0 ? new Date(Number(e.lastUsedAtMs)) : null,
      state: e.state,
    }));
    const json = JSON.stringify(list);
    let slot = this.slots.get(nodeId);
    if (!slot) this.slots.set(nodeId, (slot = { lastJson: '', writing: false }));
    if (json === slot.lastJson) return;
    slot.lastJson = json;
    slot.next = list;
    this.flush(nodeId, slot);
  }

  private flush(nodeId: string, slot: Slot): void {
    if (slot.writing || !slot.next) return;
    const list = slot.next;
    slot.next = undefined;
    slot.writing = true;
    void this.writes.track(
      this.repo
        .replace(nodeId, list)
        .catch((err: unknown) => {
          slot.lastJson = ''; // write again with the next heartbeat
          this.log.warn({ msg: 'environment list write failed', nodeId, err: String(err) });
        })
        .finally(() => {
          slot.writing = false;
          this.flush(nodeId, slot);
        }),
    );
  }
}
