import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiMessage } from './api/http-client';
import { applyLabelEdits } from './commands/nodes.command';
import { exitCodeFor } from './commands/follow-task';
import { configPath, loadProfile, resolveConnection, saveProfile } from './config/profile';
import { UsageError } from './errors';
import { keyValues } from './parse-args';
import { taskFields } from './commands/tasks.command';
import { humanMs, taskDurationText } from './output/print';
import type { Task } from './api/types';

describe('CLI pure parts', () => {
  it.each([
    ['finished', 0],
    ['error', 1],
    ['abnormal', 1],
    ['cancelled', 130],
  ])('a followed task that ends %s exits %i', (status, code) => {
    expect(exitCodeFor(status)).toBe(code);
  });

  it.each([
    ['{"statusCode":400,"error":"Bad Request","message":["priority: expected 1..10","mode: bad"]}', 'Bad Request: priority: expected 1..10; mode: bad'],
    ['{"statusCode":401,"error":"Unauthorized","message":"wrong API token"}', 'Unauthorized: wrong API token'],
    ['<html>bad gateway</html>', '<html>bad gateway</html>'],
    ['', 'HTTP 502'],
  ])('turns the API answer %s into one line', (body, line) => {
    expect(apiMessage(502, body)).toBe(line);
  });

  it('parses k=v pairs (values may hold =) and refuses a pair without a key as a usage error', () => {
    expect(keyValues(['a=1', 'topology.zone=eu=west', 'empty='], '--env')).toEqual({ a: '1', 'topology.zone': 'eu=west', empty: '' });
    expect(keyValues(undefined, '--env')).toBeUndefined();
    expect(() => keyValues(['novalue'], '--label')).toThrow(UsageError);
    expect(() => keyValues(['=x'], '--label')).toThrow("--label expects KEY=VALUE, got '=x'");
  });

  it('edits labels: k=v sets, k- removes, anything else is a usage error', () => {
    expect(applyLabelEdits({ zone: 'a', old: 'x' }, ['zone=b', 'old-', 'new=1'])).toEqual({ zone: 'b', new: '1' });
    expect(() => applyLabelEdits({}, ['nonsense'])).toThrow(UsageError);
  });

  describe('profile', () => {
    let home: string;
    beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'cn-profile-'))));
    afterEach(() => rmSync(home, { recursive: true, force: true }));

    it('lives under $HOME/.config, or $XDG_CONFIG_HOME when set', () => {
      expect(configPath({ HOME: home })).toBe(join(home, '.config/crawlnest/config.json'));
      expect(configPath({ HOME: home, XDG_CONFIG_HOME: join(home, 'x') })).toBe(join(home, 'x/crawlnest/config.json'));
    });

    it('is written 0600, also over a file that was readable by others', () => {
      const path = configPath({ HOME: home });
      saveProfile({ url: 'http://a', token: 't1' }, path);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      writeFileSync(path, '{}', { mode: 0o644 });
      saveProfile({ url: 'http://b', token: 't2' }, path);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(loadProfile(path)).toEqual({ url: 'http://b', token: 't2' });
    });

    it('CRAWLNEST_URL and CRAWLNEST_TOKEN override it one by one', () => {
      saveProfile({ url: 'http://saved:8080/', token: 'saved' }, configPath({ HOME: home }));
      expect(resolveConnection({ HOME: home })).toMatchObject({ url: 'http://saved:8080/'.replace(/\/$/, ''), token: 'saved' });
      expect(resolveConnection({ HOME: home, CRAWLNEST_TOKEN: 'env' })).toMatchObject({ url: 'http://saved:8080', token: 'env', source: 'CRAWLNEST_TOKEN' });
      expect(resolveConnection({ HOME: home, CRAWLNEST_URL: 'http://other' })).toMatchObject({ url: 'http://other', token: 'saved' });
      expect(resolveConnection({ HOME: join(home, 'nobody') })).toMatchObject({ url: 'http://127.0.0.1:8080', token: null });
    });

    it('a broken profile is a clear error naming the file', () => {
      const path = configPath({ HOME: home });
      saveProfile({ url: 'u', token: 't' }, path);
      writeFileSync(path, 'not json');
      expect(() => loadProfile(path)).toThrow(`${path} is not a valid profile`);
    });
  });
});

describe('task durations in words', () => {
  it.each([
    [null, ''],
    [59, '59 ms'],
    [4500, '4.5 s'],
    [21_340, '21.3 s'],
    [185_000, '3 m 05 s'],
    [7_440_000, '2 h 04 m'],
  ])('humanMs(%s) = %j', (ms, want) => expect(humanMs(ms)).toBe(want));

  it('shows the preparation apart, and nothing for a task without figures (older master, pending)', () => {
    expect(taskDurationText({ durationMs: 21_340, prepareMs: 20_110 })).toBe('21.3 s (prepare 20.1 s)');
    expect(taskDurationText({ durationMs: 800, prepareMs: 0 })).toBe('800 ms');
    expect(taskDurationText({ durationMs: null, prepareMs: null })).toBe('');
    expect(taskDurationText({})).toBe('');
  });

  it('tasks show names the node next to its id and says the duration in words', () => {
    const t = { id: 't', status: 'running', nodeId: 'n1', nodeName: 'worker-1', durationMs: 4500, prepareMs: 3000, runMs: 1500 } as Task;
    const f = taskFields(t);
    expect(Object.keys(f)).toEqual(['id', 'status', 'nodeId', 'node', 'nodeName', 'durationMs', 'prepareMs', 'runMs', 'duration']);
    expect(f.node).toBe('worker-1');
    expect(f.duration).toBe('4.5 s from assignment, running; prepare 3.0 s, run 1.5 s');
  });
});
