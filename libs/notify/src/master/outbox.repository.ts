import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import type { NotifyEvent } from '../notify.types';
import { collection, COLLECTIONS, deleteByIds, insertManyReport, insertOnce } from './notify-collections';
import { BatchedWrites } from '@crawlnest/node';

/** A recorded fact, before rules turn it into events: a task's close, a node's transition, a monitor's finding. */
export type OutboxFact =
  | { _id: string; kind: 'task.ended'; at: Date; task: Record<string, unknown> }
  | { _id: string; kind: 'schedule.missed'; at: Date; scheduleId: string; tick: Date; error: string }
  | { _id: string; kind: 'node.offline' | 'node.online'; at: Date; nodeId: string; nodeName: string }
  | { _id: string; kind: 'task.running_longer' | 'task.pending_longer'; at: Date; task: Record<string, unknown>; seconds: number; pendingReason: string | null };

export type DigestItem = { _id: string; digestId: string; event: NotifyEvent; at: Date };

/**
 * The outbox: facts are inserted by `_id` (task id + attempt, node + transition time, …) so a
 * replayed close or two replicas seeing one transition record it once. A fact is deleted once
 * fanned out into deliveries; the collection holds only what is in flight, so reading it
 * whole (a scan on FerretDB) stays cheap.
 */
@Injectable()
export class OutboxRepository {
  /** Facts recorded while one insert is in flight go together next (task closes come in bursts). */
  private readonly grouped = new BatchedWrites<OutboxFact, boolean>((facts) => insertManyReport(this.facts(), facts), 100);

  constructor(@InjectConnection() private readonly conn: Connection) {}

  private facts() {
    return collection<OutboxFact>(this.conn, COLLECTIONS.outbox);
  }
  private items() {
    return collection<DigestItem>(this.conn, COLLECTIONS.digestItems);
  }

  /** False when the fact was recorded already (a replayed close, another replica's monitor). */
  async record(fact: OutboxFact): Promise<boolean> {
    const [inserted] = await this.grouped.push([fact]);
    return inserted;
  }

  async pending(limit: number): Promise<OutboxFact[]> {
    return this.facts().find({}).limit(limit).toArray();
  }

  async done(id: string): Promise<void> {
    await this.facts().deleteOne({ _id: id });
  }

  /**
   * Several fanned-out facts in one command: one delete statement per `_id` (FerretDB finds each
   * by its `_id` index, where an `_id` `$in` would read and decode every fact in flight).
   */
  async doneMany(ids: string[]): Promise<void> {
    await deleteByIds(this.facts(), ids);
  }

  addDigestItem(item: DigestItem): Promise<boolean> {
    return insertOnce(this.items(), item);
  }

  /**
   * Items of one digest: an `_id` range (`<digestId>|` … `<digestId>|\uffff`), which FerretDB
   * answers without sorting and MongoDB from the `_id` index.
   */
  async digestItems(digestId: string): Promise<DigestItem[]> {
    return this.items()
      .find({ _id: { $gt: `${digestId}|`, $lt: `${digestId}|\uffff` } })
      .toArray();
  }

  async dropDigestItems(ids: string[]): Promise<void> {
    await deleteByIds(this.items(), ids);
  }
}
