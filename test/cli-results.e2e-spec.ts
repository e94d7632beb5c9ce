import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from './support/cli-process';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

/**
 * `crawlnest results`: exports through GET /api/spiders/:id/results/export (docs/api.md,
 * Results) to a file, in each format, for the whole spider or one task.
 */
describe('crawlnest results', () => {
  const cluster = new TestCluster('cli-results');
  let master: Master;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const taskIds: string[] = [];

  beforeAll(async () => {
    master = await cluster.startMaster();
    await cluster.startWorker({ masters: [master], name: 'res-w1' });
    await cluster.waitNodeReady(master.api, 'res-w1');
    home = mkdtempSync(join(tmpdir(), 'cn-cli-res-'));
    env = cliEnv(home, { CRAWLNEST_URL: `http://127.0.0.1:${master.httpPort}`, CRAWLNEST_TOKEN: cluster.apiToken });
    const project = join(home, 'shop');
    mkdirSync(project);
    // Items as crawlab-sdk prints them; $BATCH tells the two runs apart. A comma and a quote
    // in a value exercise CSV quoting.
    writeFileSync(
      join(project, 'emit.sh'),
      [
        'echo "a log line"',
        `echo '{"type":"data","payload":[{"title":"Book, first","price":10,"batch":"'$BATCH'"},{"title":"Pen \\"blue\\"","price":2,"batch":"'$BATCH'"}],"ipc":true}'`,
        `echo '{"type":"data","payload":{"title":"Ink","price":5,"batch":"'$BATCH'"},"ipc":true}'`,
      ].join('\n') + '\n',
    );
    expect((await runCli(['deploy', project, '--cmd', 'sh emit.sh'], env)).code).toBe(0);
    for (const batch of ['one', 'two']) {
      const r = await runCli(['run', 'shop', '--env', `BATCH=${batch}`, '--follow'], env, 90_000);
      expect(r.code).toBe(0);
      taskIds.push(/following task ([0-9a-f]{24})/.exec(r.stderr)?.[1] as string);
    }
    // Items are shipped like logs: wait until all six are stored.
    await waitFor('six results stored', async () => (await master.api.get(`/api/spiders/${(await master.api.get('/api/spiders')).body[0].id}/results?size=100`)).body?.total === 6 || undefined, 60_000, 200);
  });

  afterAll(async () => {
    await cluster.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const items = (rows: Record<string, unknown>[]): string[] => rows.map((r) => `${r.batch}:${r.title}:${r.price}`).sort();

  it('jsonl to a file: every item of every task, with a summary of what was written', async () => {
    const file = join(home, 'all.jsonl');
    const r = await runCli(['results', 'shop', '--format', 'jsonl', '-o', file], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/export: .* in .* s/);
    expect(r.stderr).toContain(`wrote ${file}`);
    const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(items(rows)).toEqual(['one:Book, first:10', 'one:Ink:5', 'one:Pen "blue":2', 'two:Book, first:10', 'two:Ink:5', 'two:Pen "blue":2']);
  });

  it('json of one task (--task)', async () => {
    const file = join(home, 'one.json');
    const r = await runCli(['results', 'shop', '--task', taskIds[0], '--format', 'json', '-o', file], env);
    expect(r.code).toBe(0);
    expect(items(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[])).toEqual(['one:Book, first:10', 'one:Ink:5', 'one:Pen "blue":2']);
  });

  it('csv: a header with the fields, values quoted where needed', async () => {
    const file = join(home, 'all.csv');
    const r = await runCli(['results', 'shop', '--format', 'csv', '-o', file], env);
    expect(r.code).toBe(0);
    const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    const header = lines[0].split(',');
    expect(header).toEqual(expect.arrayContaining(['title', 'price', 'batch']));
    expect(lines).toHaveLength(7);
    expect(lines.filter((l) => l.includes('"Book, first"'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('"Pen ""blue"""'))).toHaveLength(2);
  });

  it('csv --bom starts with a UTF-8 byte order mark for Excel; without it none; --bom with jsonl is a usage error', async () => {
    const withBom = join(home, 'bom.csv');
    expect((await runCli(['results', 'shop', '--format', 'csv', '--bom', '-o', withBom], env)).code).toBe(0);
    expect([...readFileSync(withBom).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const plain = join(home, 'plain.csv');
    expect((await runCli(['results', 'shop', '--format', 'csv', '-o', plain], env)).code).toBe(0);
    expect(readFileSync(plain)[0]).not.toBe(0xef);
    const wrong = await runCli(['results', 'shop', '--format', 'jsonl', '--bom'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--bom applies to --format csv only');
  });

  it('to stdout without -o; an unknown spider is a clear error', async () => {
    const r = await runCli(['results', 'shop', '--task', taskIds[1]], env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    const unknown = await runCli(['results', 'nope', '-o', join(home, 'x.jsonl')], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no spider named or with id 'nope'");
  });
});
