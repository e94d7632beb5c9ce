import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { SCHEDULE_STATE_MODEL } from '../task.schema';
import { ScheduleState } from '../schedule.types';

/**
 * Tick bookkeeping. Its only writer is a claimed tick, so no user edit can be undone by it,
 * and it never writes the user's `schedules` document.
 */
@Injectable()
export class ScheduleStateRepository {
  constructor(@InjectModel(SCHEDULE_STATE_MODEL) private readonly model: Model<ScheduleState>) {}

  async get(scheduleId: string): Promise<ScheduleState | null> {
    return this.model.findById(scheduleId).lean<ScheduleState>();
  }

  async all(): Promise<Map<string, ScheduleState>> {
    const rows = await this.model.find().lean<ScheduleState[]>();
    return new Map(rows.map((r) => [r._id, r]));
  }

  /**
   * Records a fired tick. `$max`: ticks claimed by other replicas may be recorded out of order;
   * on FerretDB the update is read-then-write, so a racing older tick can still land last,
   * which only makes `lastRunAt` lag one tick (the claims, not this, keep ticks unique).
   */
  async recordTick(scheduleId: string, nominal: Date): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.model.updateOne({ _id: scheduleId }, { $max: { lastTickAt: nominal } }, { upsert: true });
        return;
      } catch (err) {
        // Two first ticks upserting at once: one insert wins, the other updates it on retry.
        if (!isDuplicateKeyError(err) || attempt > 0) throw err;
      }
    }
  }

  async delete(scheduleId: string): Promise<void> {
    await this.model.deleteOne({ _id: scheduleId });
  }
}
