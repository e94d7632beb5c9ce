import { countErrorLines, median, resultsBelow, ruleCovers, statusEvent } from './rule-match';
import { chatBody, digestTitle, emailBody, webhookBody } from './message-format';
import type { NotifyEvent } from './notify.types';

describe('ruleCovers', () => {
  const rule = (over: object) => ({ enabled: true, projectId: null, spiderIds: [] as string[], ...over });
  it.each([
    ['a global rule covers any spider', rule({}), { projectId: 'p', spiderId: 's1' }, 'task.error', true],
    ['a disabled rule covers nothing', rule({ enabled: false }), { projectId: null, spiderId: 's1' }, 'task.error', false],
    ['a spider list covers its spiders', rule({ spiderIds: ['s1'] }), { projectId: null, spiderId: 's1' }, 'task.error', true],
    ['a spider list ignores others', rule({ spiderIds: ['s1'] }), { projectId: null, spiderId: 's2' }, 'task.error', false],
    ['a project rule ignores other projects', rule({ projectId: 'a' }), { projectId: 'b', spiderId: 's1' }, 'task.error', false],
    ['a project rule covers its project', rule({ projectId: 'a' }), { projectId: 'a', spiderId: 's1' }, 'task.error', true],
    ['node events need a global rule', rule({ projectId: 'a' }), { projectId: null, spiderId: null }, 'node.offline', false],
    ['a global rule gets node events', rule({ spiderIds: ['s1'] }), { projectId: null, spiderId: null }, 'node.offline', true],
  ] as const)('%s', (_name, r, scope, type, want) => expect(ruleCovers(r, scope, type)).toBe(want));
});

describe('conditions', () => {
  it('maps final statuses to events', () => {
    expect(['finished', 'error', 'abnormal', 'cancelled', 'running'].map(statusEvent)).toEqual(['task.finished', 'task.error', 'task.abnormal', 'task.cancelled', null]);
  });

  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it.each([
    ['under min', { type: 'task.results_below', min: 10 }, 3, [], true],
    ['at min', { type: 'task.results_below', min: 10 }, 10, [], false],
    ['under half the median', { type: 'task.results_below', belowMedianPercent: 50, ofLastRuns: 3 }, 40, [100, 90, 110, 1], true],
    ['at half the median', { type: 'task.results_below', belowMedianPercent: 50, ofLastRuns: 3 }, 50, [100, 90, 110], false],
    ['only the last K runs count', { type: 'task.results_below', belowMedianPercent: 50, ofLastRuns: 1 }, 40, [60, 1000, 1000], false],
    ['no previous run: silent', { type: 'task.results_below', belowMedianPercent: 50 }, 0, [], false],
  ] as const)('results_below %s', (_n, cond, count, prev, fires) => expect(resultsBelow(cond, count, [...prev]) !== null).toBe(fires));

  it('counts stderr lines, or lines matching a pattern', () => {
    const lines = [
      { stream: 'stderr', text: 'Traceback' },
      { stream: 'stdout', text: 'ERROR: parse' },
      { stream: 'stderr', text: 'warn' },
    ];
    expect(countErrorLines(lines, undefined)).toBe(2);
    expect(countErrorLines(lines, '^ERROR')).toBe(1);
  });
});

describe('messages', () => {
  const ev = (i: number): NotifyEvent => ({
    id: `e${i}`,
    type: 'task.error',
    at: new Date(1000 * i).toISOString(),
    projectId: null,
    task: { id: `t${i}`, attempt: 1, status: 'error', spiderId: 's', spiderName: 'shop', nodeId: 'n', nodeName: 'w1', exitCode: 1, error: 'boom <b>', createdAt: '', startedAt: null, finishedAt: null, durationMs: 2000, resultCount: 0, resultErrors: 0, scheduleId: null },
    logTail: ['Traceback', 'ValueError: x'],
    links: { task: `http://h/tasks/t${i}`, spider: 'http://h/spiders/s' },
  });

  it('a digest title says how many of what', () => {
    expect(digestTitle(Array.from({ length: 37 }, (_, i) => ev(i)), 600)).toBe('37 tasks of shop failed in the last 10 minutes');
  });

  it('each chat dialect gets its shape with the task link', () => {
    const m = { deliveryId: 'd', kind: 'event' as const, events: [ev(1)] };
    expect(String(chatBody('slack', m).text)).toContain('<http://h/tasks/t1|task t1>');
    expect(String(chatBody('discord', m).content)).toContain('[task t1](http://h/tasks/t1)');
    expect(chatBody('teams', m)['@type']).toBe('MessageCard');
    expect(String(chatBody('mattermost', m).text)).toContain('ValueError: x');
    expect(webhookBody(m)).toMatchObject({ deliveryId: 'd', type: 'task.error', event: { id: 'e1' } });
  });

  it('email HTML escapes what the task printed', () => {
    const e = emailBody({ deliveryId: 'd', kind: 'event', events: [ev(1)] });
    expect(e.subject).toBe('[Crawlnest] Task of shop failed (exit 1)');
    expect(e.html).toContain('boom &lt;b&gt;');
    expect(e.text).toContain('http://h/tasks/t1');
  });
});
