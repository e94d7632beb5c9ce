import { crawlParams, parseSchedule, ScrapydInputError, shellQuote } from './scrapyd-args';

describe('scrapyd schedule.json arguments', () => {
  it.each([
    ['plain', 'plain'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['$HOME', "'$HOME'"],
    ['', "''"],
  ])('shell-quotes %j as %s', (input, quoted) => expect(shellQuote(input)).toBe(quoted));

  it('splits reserved names, settings and spider arguments; priority is shifted onto 1..10', () => {
    const r = parseSchedule({ project: 'p', spider: 's', _version: 'v1', jobid: 'j1', priority: '2', setting: ['DOWNLOAD_DELAY=1', 'X=a b'], start: 'http://x/?a=1&b=2' });
    expect(r).toEqual({ project: 'p', spider: 's', version: 'v1', jobid: 'j1', priority: 7, settings: ['DOWNLOAD_DELAY=1', 'X=a b'], args: [['start', 'http://x/?a=1&b=2']] });
    expect(crawlParams(r)).toBe(
      `-a 'start=http://x/?a=1&b=2' -a _job=j1 -s DOWNLOAD_DELAY=1 -s 'X=a b' -s 'ITEM_PIPELINES_BASE={"crawlnest_scrapyd.CrawlnestItemsPipeline":1000}'`,
    );
  });

  it('defaults: no jobid passes the task id as _job; priority 0 is 5; huge priorities clamp', () => {
    const r = parseSchedule({ project: 'p', spider: 's' });
    expect(r.priority).toBe(5);
    expect(crawlParams(r)).toContain('-a "_job=$CRAWLNEST_TASK_ID"');
    expect(parseSchedule({ project: 'p', spider: 's', priority: '-100' }).priority).toBe(1);
    expect(parseSchedule({ project: 'p', spider: 's', priority: '1e9' }).priority).toBe(10);
  });

  it.each([
    [{ spider: 's' }, "'project' parameter is required"],
    [{ project: 'p' }, "'spider' parameter is required"],
    [{ project: 'p', spider: 's', priority: 'high' }, "priority 'high' is not a number"],
    [{ project: 'p', spider: 's', setting: 'novalue' }, "setting 'novalue': expected NAME=value"],
    [{ project: 'p', spider: 's', 'bad-arg': '1' }, "argument 'bad-arg'"],
    [{ project: 'p', spider: 's', jobid: 'a b' }, "jobid 'a b'"],
  ])('refuses %j', (form, message) => {
    expect(() => parseSchedule(form)).toThrow(ScrapydInputError);
    expect(() => parseSchedule(form)).toThrow(message);
  });
});
