import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { addSample, DEFAULT_HISTORY_SLOT_MS, mergeSamples, NodeSample, slotOf, withinWindow } from '../node-history';
import { NodeHistoryRepository } from './node-history.repository';
import { InFlightWrites } from '../in-flight-writes';
import { NODE_MASTER_OPTIONS, NodeMasterOptions } from './node-master.options';

type Heartbeat = { cpuPercent: number; memoryBytes: number; runningTasks: number };
type NodeState = {
  sessionId: string;
  /** The database's copy, read once per session (another replica may have held the node before). */
  loaded: Promise<void>;
  samples: NodeSample[];
  lastSlot: number;
  writing: boolean;
  dirty: boolean;
};

/**
 * Turns heartbeats into the node's history: the first heartbeat of each slot becomes its sample,
 * so a node costs one `_id` write per slot (30 s by default) whatever its heartbeat rate, with at
 * most one write per node in flight (the newest list wins). Only the replica holding a node's
 * stream hears its heartbeats, so each document has one writer at a time; a replica taking a
 * node over reads the document first and continues it.
 */
@Injectable()
export class NodeHistoryRecorder implements OnModuleDestroy {
  private readonly log = new Logger(NodeHistoryRecorder.name);
  private readonly nodes = new Map<string, NodeState>();
  private readonly writes = new InFlightWrites();
  readonly slotMs: number;

  constructor(
    private readonly repo: NodeHistoryRepository,
    @Inject(NODE_MASTER_OPTIONS) opts: NodeMasterOptions,
  ) {
    this.slotMs = opts.historySlotMs ?? DEFAULT_HISTORY_SLOT_MS;
  }

  async onModuleDestroy(): Promise<void> {
    await this.writes.settled();
  }

  record(nodeId: string, sessionId: string, hb: Heartbeat, nowMs = Date.now()): void {
    const slot = slotOf(nowMs, this.slotMs);
    let state = this.nodes.get(nodeId);
    if (!state || state.sessionId !== sessionId) state = this.open(nodeId, sessionId);
    if (state.lastSlot === slot) return; // this slot has its sample: no work per heartbeat
    state.lastSlot = slot;
    const sample: NodeSample = { slot, at: nowMs, cpuPercent: hb.cpuPercent, memoryBytes: hb.memoryBytes, runningTasks: hb.runningTasks };
    const next = addSample(state.samples, sample, this.slotMs);
    if (!next) return;
    state.samples = next;
    state.dirty = true;
    this.flush(nodeId, state);
  }

  /** The node left this replica (stream closed): its memory goes, the document stays. */
  forget(nodeId: string, sessionId: string): void {
    if (this.nodes.get(nodeId)?.sessionId === sessionId) this.nodes.delete(nodeId);
  }

  /** The node's samples of the last window, oldest first (read from the database: any replica may hold it). */
  async history(nodeId: string, nowMs = Date.now()): Promise<NodeSample[]> {
    return withinWindow(await this.repo.samples(nodeId, this.slotMs), nowMs, this.slotMs);
  }

  private open(nodeId: string, sessionId: string): NodeState {
    const state: NodeState = { sessionId, samples: [], lastSlot: -1, writing: false, dirty: false, loaded: Promise.resolve() };
    state.loaded = this.repo
      .samples(nodeId, this.slotMs)
      .then((stored) => {
        state.samples = mergeSamples(state.samples, stored, Date.now(), this.slotMs);
      })
      .catch((err: unknown) => this.log.warn({ msg: 'node history read failed; continuing from memory', nodeId, err: String(err) }));
    this.nodes.set(nodeId, state);
    return state;
  }

  private flush(nodeId: string, state: NodeState): void {
    if (state.writing || !state.dirty) return;
    state.writing = true;
    let failed = false;
    void this.writes.track(
      state.loaded
        .then(() => {
          state.dirty = false;
          return this.repo.replace(nodeId, this.slotMs, state.samples);
        })
        .catch((err: unknown) => {
          failed = true;
          state.dirty = true; // goes out with the next slot's write
          this.log.warn({ msg: 'node history write failed', nodeId, err: String(err) });
        })
        .finally(() => {
          state.writing = false;
          if (!failed && state.dirty && this.nodes.get(nodeId) === state) this.flush(nodeId, state);
        }),
    );
  }
}
