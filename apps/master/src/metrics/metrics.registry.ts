import { collectDefaultMetrics, Metric, Registry } from 'prom-client';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const METRICS_PREFIX = 'crawlnest_';

/**
 * One registry per master process (never prom-client's global one): the process metrics
 * (`crawlnest_process_*`, `crawlnest_nodejs_*`) plus the metrics the libs define.
 */
export function buildMetricsRegistry(libMetrics: Metric[]): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  for (const m of libMetrics) registry.registerMetric(m);
  return registry;
}
