import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { ACCESS_OPTIONS, AccessOptions } from './access.options';
import { AuditEvent, AuditFilter } from './access.types';
import { AuditRepository, AuditView } from './audit.repository';

export type AuditInput = Partial<AuditEvent> & Pick<AuditEvent, 'via' | 'action' | 'status'>;

/** Writes and reads the audit log; an event never carries a body, a password or a token. */
@Injectable()
export class AuditService {
  private readonly log = new Logger(AuditService.name);

  constructor(
    private readonly repo: AuditRepository,
    @Inject(ACCESS_OPTIONS) private readonly opts: AccessOptions,
  ) {}

  /** Never fails the request it records: a lost audit write is logged as an error. */
  async record(e: AuditInput): Promise<void> {
    const event: AuditEvent = {
      at: new Date(),
      userId: e.userId ?? null,
      username: e.username ?? null,
      via: e.via,
      ip: e.ip ?? '',
      action: e.action,
      resourceId: e.resourceId ?? null,
      projectId: e.projectId ?? null,
      status: e.status,
      detail: e.detail ?? '',
    };
    try {
      await this.repo.insert(event);
    } catch (err) {
      this.log.error({ err: (err as Error).message, action: e.action, status: e.status }, 'audit event not stored');
    }
  }

  list(f: AuditFilter, limit: number): Promise<AuditView[]> {
    return this.repo.list(f, limit);
  }

  @Cron(CronExpression.EVERY_HOUR)
  async prune(): Promise<void> {
    const before = new Date(Date.now() - this.opts.auditRetentionDays * 86_400_000);
    const n = await this.repo.deleteBefore(before);
    if (n) this.log.log({ msg: 'audit events past retention removed', removed: n, retentionDays: this.opts.auditRetentionDays });
  }
}
