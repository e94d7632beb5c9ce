import { Controller, Inject, Logger } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { assertClusterSecret } from '@crawlnest/node';
import { AttemptRef, LogLineIn, ReportResult, TaskReportService } from './task-report.service';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';
import { EnvStatsRecord, SyncStatsRecord } from '../task.types';

type SyncStatsMsg = {
  filesTotal: number;
  filesTransferred: number;
  bytesTransferred: string | number;
  filesDeleted: number;
  durationMs: string | number;
};

@Controller()
export class TaskGrpcController {
  private readonly log = new Logger(TaskGrpcController.name);

  constructor(
    private readonly reports: TaskReportService,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {}

  @GrpcMethod('TaskService', 'Ack')
  ack(ref: AttemptRef, md: Metadata): Promise<ReportResult> {
    this.authorize(md, 'Ack');
    return this.reports.ack(ref);
  }

  @GrpcMethod('TaskService', 'Started')
  started(req: { ref: AttemptRef; pid: number; sync: SyncStatsMsg | null; environment?: EnvStatsMsg | null }, md: Metadata): Promise<ReportResult> {
    this.authorize(md, 'Started');
    return this.reports.started(req.ref, syncStats(req.sync), envStats(req.environment));
  }

  @GrpcMethod('TaskService', 'Finished')
  finished(
    req: {
      ref: AttemptRef;
      status: string;
      exitCode: number;
      hasExitCode: boolean;
      error: string;
      sync: SyncStatsMsg | null;
      environment?: EnvStatsMsg | null;
      results?: { stored: string; duplicates: string; rejected: string } | null;
    },
    md: Metadata,
  ): Promise<ReportResult> {
    this.authorize(md, 'Finished');
    return this.reports.finished(req.ref, {
      status: req.status,
      exitCode: req.hasExitCode ? req.exitCode : null,
      error: req.error || null,
      sync: syncStats(req.sync),
      environment: envStats(req.environment),
      results: req.results ? { stored: Number(req.results.stored), duplicates: Number(req.results.duplicates), rejected: Number(req.results.rejected) } : null,
    });
  }

  @GrpcMethod('TaskService', 'AppendLogs')
  appendLogs(req: { ref: AttemptRef; lines: LogLineIn[] }, md: Metadata): Promise<ReportResult> {
    this.authorize(md, 'AppendLogs');
    return this.reports.appendLogs(req.ref, req.lines);
  }

  private authorize(md: Metadata, rpc: string): void {
    assertClusterSecret(md, this.opts.clusterSecret, rpc, this.log);
  }
}

function syncStats(s: SyncStatsMsg | null | undefined): SyncStatsRecord | null {
  if (!s || s.filesTotal === undefined) return null;
  return {
    filesTotal: s.filesTotal,
    filesTransferred: s.filesTransferred,
    bytesTransferred: Number(s.bytesTransferred),
    filesDeleted: s.filesDeleted,
    durationMs: Number(s.durationMs),
  };
}

type EnvStatsMsg = { keys: string[]; cached: boolean; buildMs: string | number };

function envStats(s: EnvStatsMsg | null | undefined): EnvStatsRecord | null {
  if (!s || !s.keys?.length) return null;
  return { keys: [...s.keys], cached: s.cached, buildMs: Number(s.buildMs) };
}
