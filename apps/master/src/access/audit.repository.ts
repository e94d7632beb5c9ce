import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { BatchedWrites } from '@crawlnest/node';
import { AUDIT_MODEL } from './access.schema';
import { AuditEvent, AuditFilter } from './access.types';

type AuditDoc = AuditEvent & { _id: Types.ObjectId };
export type AuditView = AuditEvent & { id: string };

/** The audit log: inserts on every change; reads are admin pages, bounded (FerretDB scans any filter). */
@Injectable()
export class AuditRepository {
  constructor(@InjectModel(AUDIT_MODEL) private readonly model: Model<AuditDoc>) {}

  /** Events recorded while an insert is in flight go out together in the next one (a burst of creates costs one insert, not one each). */
  private readonly inserts = new BatchedWrites<AuditEvent, void>(async (events) => {
    await this.model.insertMany(events);
    return events.map(() => undefined);
  });

  async insert(e: AuditEvent): Promise<void> {
    await this.inserts.push([e]);
  }

  /** Newest first, at most `limit`. */
  async list(f: AuditFilter, limit: number): Promise<AuditView[]> {
    const q: Record<string, unknown> = {};
    if (f.userId) q.userId = f.userId;
    if (f.action) q.action = f.action;
    if (f.projectId) q.projectId = f.projectId;
    else if (f.projectIds) q.projectId = { $in: f.projectIds };
    if (f.after) q.at = { $gt: f.after };
    const docs = await this.model.find(q).sort({ _id: -1 }).limit(limit).lean<AuditDoc[]>();
    return docs.map(({ _id, ...e }) => ({ id: String(_id), ...e }));
  }

  async deleteBefore(before: Date): Promise<number> {
    return (await this.model.deleteMany({ at: { $lt: before } })).deletedCount;
  }
}
