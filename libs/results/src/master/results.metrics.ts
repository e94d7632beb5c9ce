import { Injectable } from '@nestjs/common';
import { Counter, Metric } from 'prom-client';

/** Results metrics of this replica; the app registers `metrics()` in its own registry. */
@Injectable()
export class ResultsMetrics {
  readonly stored = new Counter({ name: 'crawlnest_results_stored_total', help: 'Result items stored (first time)', registers: [] });
  readonly rejected = new Counter({
    name: 'crawlnest_results_rejected_total',
    help: 'Result items refused (malformed line, not an object, too large, not storable)',
    registers: [],
  });
  readonly duplicates = new Counter({
    name: 'crawlnest_results_duplicates_total',
    help: 'Result items whose dedup keys were already stored (ignored or overwritten)',
    registers: [],
  });

  metrics(): Metric[] {
    return [this.stored, this.rejected, this.duplicates];
  }
}
