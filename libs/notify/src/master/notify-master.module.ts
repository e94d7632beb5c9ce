import { DynamicModule, Module } from '@nestjs/common';
import { TASK_EVENTS_SINK } from '@crawlnest/task';
import { ChannelSender } from './channel-sender';
import { NotifyConfigRepository } from './config.repository';
import { DeliveryRepository } from './delivery.repository';
import { EventFactsService } from './event-facts.service';
import { NotifierService } from './notifier.service';
import { NotifyConfigCache } from './notify-config.cache';
import { NOTIFY_MASTER_OPTIONS, NotifyMasterOptions } from './notify-master.options';
import { NotifyMonitorCron } from './notify-monitor.cron';
import { NotifyRetentionCron } from './notify-retention.cron';
import { NotifyMetrics } from './notify.metrics';
import { NotifyService } from './notify.service';
import { OutboxRepository } from './outbox.repository';
import { OutboxSignal } from './outbox-signal';
import { NotifyTaskEventsSink } from './task-events.sink';

/**
 * Master side of notifications: channels, rules, the outbox fed by libs/task's events sink
 * and by the monitors, and the notifier that delivers. Global so libs/task's optional
 * TASK_EVENTS_SINK finds the implementation without importing this lib.
 */
@Module({})
export class NotifyMasterModule {
  static forRoot(options: NotifyMasterOptions): DynamicModule {
    return {
      module: NotifyMasterModule,
      global: true,
      providers: [
        { provide: NOTIFY_MASTER_OPTIONS, useValue: options },
        NotifyConfigRepository,
        OutboxRepository,
        OutboxSignal,
        DeliveryRepository,
        NotifyConfigCache,
        EventFactsService,
        ChannelSender,
        NotifierService,
        NotifyMonitorCron,
        NotifyRetentionCron,
        NotifyMetrics,
        NotifyService,
        NotifyTaskEventsSink,
        { provide: TASK_EVENTS_SINK, useExisting: NotifyTaskEventsSink },
      ],
      exports: [NotifyService, NotifyMetrics, TASK_EVENTS_SINK],
    };
  }
}
