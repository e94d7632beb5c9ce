import { jobState, jobView, scrapydTime } from './scrapyd-jobs';

describe('scrapyd job views', () => {
  it.each([
    ['pending', 'pending'],
    ['assigned', 'running'],
    ['running', 'running'],
    ['finished', 'finished'],
    ['error', 'finished'],
    ['cancelled', 'finished'],
    ['abnormal', 'finished'],
  ] as const)('%s is %s', (status, state) => expect(jobState(status)).toBe(state));

  it('formats times as Scrapyd does', () => {
    expect(scrapydTime('2026-12-06T04:01:02.345Z')).toBe('2026-12-06 04:01:02.345000');
    expect(scrapydTime(null)).toBeNull();
  });

  it('a finished job has start, end, log and items URLs under the prefix', () => {
    const v = jobView(
      { jobid: 'j 1', project: 'p', spider: 's', taskId: 't' },
      { status: 'finished', createdAt: '2026-12-06T04:00:00.000Z', startedAt: '2026-12-06T04:00:01.000Z', finishedAt: '2026-12-06T04:00:02.000Z' },
      '/scrapyd',
    );
    expect(v).toMatchObject({ id: 'j 1', spider: 's', start_time: '2026-12-06 04:00:01.000000', end_time: '2026-12-06 04:00:02.000000', log_url: '/scrapyd/logs/p/s/j%201.log', items_url: '/scrapyd/items/p/s/j%201.jl' });
  });

  it('a running job has no end time', () => {
    const v = jobView({ jobid: 'j', project: 'p', spider: 's', taskId: 't' }, { status: 'running', createdAt: 'x', startedAt: null, finishedAt: null }, '');
    expect(v).not.toHaveProperty('end_time');
  });
});
