import { Injectable, OnModuleInit } from '@nestjs/common';
import { MasterLinkClient } from '@crawlnest/node';
import { EnvironmentService } from './environment.service';

/** Announces the worker's runtimes (on Register) and its environment cache (on each heartbeat). */
@Injectable()
export class EnvInventoryReporter implements OnModuleInit {
  constructor(
    private readonly link: MasterLinkClient,
    private readonly envs: EnvironmentService,
  ) {}

  onModuleInit(): void {
    this.link.setInventoryProvider(() => ({
      runtimes: this.envs.runtimes(),
      environments: this.envs.list().map((e) => ({
        key: e.key,
        kind: e.kind,
        sizeBytes: e.sizeBytes,
        lastUsedAtMs: Math.round(e.lastUsedAt),
        state: e.state,
      })),
    }));
  }
}
