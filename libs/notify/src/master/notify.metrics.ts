import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Metric } from 'prom-client';

/** Notification metrics of this replica; the app registers `metrics()` in its own registry. */
@Injectable()
export class NotifyMetrics {
  readonly sent = new Counter({ name: 'crawlnest_notify_deliveries_sent_total', help: 'Deliveries sent (receiver accepted)', labelNames: ['channel_type'], registers: [] });
  readonly failed = new Counter({
    name: 'crawlnest_notify_deliveries_failed_total',
    help: 'Deliveries given up (attempts exhausted or refused for good)',
    labelNames: ['channel_type'],
    registers: [],
  });
  readonly retried = new Counter({ name: 'crawlnest_notify_deliveries_retried_total', help: 'Failed attempts that will be retried', labelNames: ['channel_type'], registers: [] });
  readonly latency = new Histogram({
    name: 'crawlnest_notify_event_to_delivery_seconds',
    help: 'From the event to the receiver accepting its delivery',
    labelNames: ['channel_type'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300],
    registers: [],
  });
  readonly outboxLag = new Gauge({
    name: 'crawlnest_notify_outbox_lag_seconds',
    help: 'Age of the oldest fact waiting in the outbox or delivery overdue, as seen by this replica',
    registers: [],
  });

  metrics(): Metric[] {
    return [this.sent, this.failed, this.retried, this.latency, this.outboxLag];
  }
}
