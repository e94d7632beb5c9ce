import type { Schedule, Task } from '../api/types';
import { spiderGlance } from './spider-glance';

describe('spiderGlance', () => {
  it('takes the newest task per spider and the earliest next run of its enabled schedules', () => {
    const t = (id: string, spiderId: string) => ({ id, spiderId }) as Task;
    const s = (spiderId: string, nextRunAt: string | null, enabled = true) => ({ spiderId, nextRunAt, enabled }) as Schedule;
    const g = spiderGlance(
      [t('3', 'a'), t('2', 'b'), t('1', 'a')],
      [s('a', '2026-12-06T10:00:00Z'), s('a', '2026-12-06T09:00:00Z'), s('a', '2026-12-06T08:00:00Z', false), s('b', null)],
    );
    expect(g.last.get('a')?.id).toBe('3');
    expect(g.last.get('b')?.id).toBe('2');
    expect(g.next.get('a')).toBe('2026-12-06T09:00:00Z');
    expect(g.next.has('b')).toBe(false);
  });
});
