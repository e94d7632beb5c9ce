import { request } from './client';
import type { SpiderStats } from './types';

/** A spider's runs per day (maintained daily counts on the master). */
export const statsApi = {
  spiderStats: (id: string, days: 7 | 30) => request<SpiderStats>('GET', `/api/spiders/${id}/stats?days=${days}`),
};
