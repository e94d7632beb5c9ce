import { DynamicModule, Module } from '@nestjs/common';
import { MasterLinkClient } from './master-link.client';
import { MASTER_LINK_OPTIONS, MasterLinkOptions } from './master-link.options';

@Module({})
export class NodeWorkerModule {
  static forRoot(options: MasterLinkOptions): DynamicModule {
    return {
      module: NodeWorkerModule,
      global: true,
      providers: [{ provide: MASTER_LINK_OPTIONS, useValue: options }, MasterLinkClient],
      exports: [MasterLinkClient, MASTER_LINK_OPTIONS],
    };
  }
}
