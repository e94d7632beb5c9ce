import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { addMember, createProject, createUser, login } from './support/access-fixtures';
import { Master, TestCluster } from './support/cluster';
import { PROJECT_ROOT } from './support/ferretdb-server';

const run = promisify(execFile);
const VENV_BIN = join(PROJECT_ROOT, '.tools/venv/bin');
const PATH = `${VENV_BIN}:${process.env.PATH ?? ''}`;
// Through the venv's python: the script's shebang names the directory the venv was made in.

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
}

function project(url: string, token: string): Record<string, string> {
  return {
    'scrapy.cfg': `[settings]\ndefault = team.settings\n\n[deploy]\nurl = ${url}\nusername = anyone\npassword = ${token}\nproject = team\n`,
    'setup.py': 'from setuptools import setup, find_packages\nsetup(name="team", version="1.0", packages=find_packages(), entry_points={"scrapy": ["settings = team.settings"]})\n',
    'team/__init__.py': '',
    'team/settings.py': 'BOT_NAME = "team"\nSPIDER_MODULES = ["team.spiders"]\n',
    'team/spiders/__init__.py': '',
    'team/spiders/one.py': 'import scrapy\n\n\nclass One(scrapy.Spider):\n    name = "one"\n    start_urls = ["http://127.0.0.1:9/"]\n',
  };
}

/**
 * Scrapyd's basic auth with personal tokens: the password is a `cnp_…` token and the
 * project policy applies (docs/scrapyd.md). No worker runs here: `scrapy list` times out
 * after 1 s and the spiders are read from the egg's sources, which is all this suite needs.
 */
describe('the Scrapyd API with personal tokens', () => {
  const cluster = new TestCluster('scrapyd-tokens');
  let m: Master;
  let teamA: string;
  const tokens: Record<string, string> = {};

  async function scrapyd(endpoint: string, token: string, form?: Record<string, string>): Promise<{ status: number; body: any }> {
    const headers = { authorization: `Basic ${Buffer.from(`whoever:${token}`).toString('base64')}` };
    const res = await fetch(`http://127.0.0.1:${m.httpPort}/scrapyd/${endpoint}`, { method: form ? 'POST' : 'GET', headers, body: form ? new URLSearchParams(form) : undefined });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  }

  async function personalToken(username: string): Promise<string> {
    const session = await login(m.api, username);
    const r = await m.api.withToken(session).post('/api/tokens', { name: 'scrapyd' });
    if (r.status !== 201) throw new Error(`token of ${username}: ${r.status} ${r.text}`);
    return r.body.token as string;
  }

  beforeAll(async () => {
    if (!existsSync(join(VENV_BIN, 'scrapyd-deploy'))) throw new Error(`${VENV_BIN}/scrapyd-deploy missing: run bash scripts/setup-python.sh`);
    m = await cluster.startMaster({ CRAWLNEST_SCRAPYD_LIST_TIMEOUT_MS: '1000' });
    teamA = await createProject(m.api, 'team-a');
    const teamB = await createProject(m.api, 'team-b');
    for (const [name, projectId, role] of [['ed', teamA, 'editor'], ['run', teamA, 'runner'], ['view', teamA, 'viewer'], ['other', teamB, 'owner']] as const) {
      await addMember(m.api, projectId, await createUser(m.api, name), role);
      tokens[name] = await personalToken(name);
    }
  }, 120_000);
  afterAll(() => cluster.stop());

  it("scrapyd-deploy with an editor's personal token deploys into that user's project", async () => {
    const dir = join(cluster.dir, 'team-project');
    writeTree(dir, project(`http://127.0.0.1:${m.httpPort}/scrapyd/`, tokens.ed));
    const out = await run(join(VENV_BIN, 'python'), [join(VENV_BIN, 'scrapyd-deploy'), '-v', 'r1'], { cwd: dir, timeout: 120_000, env: { ...process.env, PATH } });
    expect(JSON.parse(out.stdout.slice(out.stdout.indexOf('{')))).toMatchObject({ status: 'ok', project: 'team', version: 'r1', spiders: 1 });
    const spiders = (await m.api.get('/api/spiders')).body as { name: string; projectId: string }[];
    expect(spiders.filter((s) => s.name === 'team' || s.name.startsWith('team.')).map((s) => [s.name, s.projectId]).sort()).toEqual([
      ['team', teamA],
      ['team.one', teamA],
    ]);
    // The egg for the plain-HTTP calls below.
    await run(join(VENV_BIN, 'python'), [join(VENV_BIN, 'scrapyd-deploy'), '--build-egg', join(cluster.dir, 'team.egg')], { cwd: dir, timeout: 120_000, env: { ...process.env, PATH } });
  }, 300_000);

  it('a viewer lists but cannot addversion, schedule or delete; a runner schedules and cancels', async () => {
    expect((await scrapyd('listprojects.json', tokens.view)).body).toMatchObject({ status: 'ok', projects: ['team'] });
    expect((await scrapyd('listspiders.json?project=team', tokens.view)).body).toMatchObject({ status: 'ok', spiders: ['one'] });

    const egg = new FormData();
    egg.append('project', 'team');
    egg.append('version', 'r2');
    egg.append('egg', new Blob([new Uint8Array(readFileSync(join(cluster.dir, 'team.egg')))]), 'team.egg');
    const auth = (t: string) => ({ authorization: `Basic ${Buffer.from(`x:${t}`).toString('base64')}` });
    const refused = await fetch(`http://127.0.0.1:${m.httpPort}/scrapyd/addversion.json`, { method: 'POST', headers: auth(tokens.view), body: egg });
    expect(refused.status).toBe(200);
    expect(await refused.json()).toEqual({ node_name: expect.any(String), status: 'error', message: "project 'team': needs the editor role in this project (you are viewer)" });
    expect((await scrapyd('listversions.json?project=team', tokens.view)).body.versions).toEqual(['r1']);
    expect((await scrapyd('schedule.json', tokens.view, { project: 'team', spider: 'one' })).body).toMatchObject({ status: 'error', message: expect.stringMatching(/needs the runner role/) });
    expect((await scrapyd('delproject.json', tokens.view, { project: 'team' })).body).toMatchObject({ status: 'error', message: expect.stringMatching(/needs the editor role/) });

    const s = await scrapyd('schedule.json', tokens.run, { project: 'team', spider: 'one', jobid: 'run-1' });
    expect(s.body).toMatchObject({ status: 'ok', jobid: 'run-1' });
    expect((await scrapyd('listjobs.json?project=team', tokens.view)).body.pending.map((j: { id: string }) => j.id)).toEqual(['run-1']);
    expect((await scrapyd('cancel.json', tokens.run, { project: 'team', job: 'run-1' })).body).toMatchObject({ status: 'ok', prevstate: 'pending' });

    const again = await fetch(`http://127.0.0.1:${m.httpPort}/scrapyd/addversion.json`, { method: 'POST', headers: auth(tokens.ed), body: egg });
    expect(await again.json()).toMatchObject({ status: 'ok', version: 'r2' });
  }, 120_000);

  it("a member of another project sees nothing of it; the root token still sees everything", async () => {
    expect((await scrapyd('listprojects.json', tokens.other)).body).toMatchObject({ status: 'ok', projects: [] });
    expect((await scrapyd('listspiders.json?project=team', tokens.other)).body).toMatchObject({ status: 'error', message: "project 'team' not found" });
    expect((await scrapyd('schedule.json', tokens.other, { project: 'team', spider: 'one' })).body).toMatchObject({ status: 'error', message: "project 'team' not found" });
    expect((await scrapyd('status.json?job=run-1', tokens.other)).body).toMatchObject({ status: 'ok', currstate: 'unknown' });
    expect((await scrapyd('daemonstatus.json', tokens.other)).body).toMatchObject({ status: 'ok', pending: 0, running: 0, finished: 0 });
    const log = await fetch(`http://127.0.0.1:${m.httpPort}/scrapyd/logs/team/one/run-1.log`, { headers: { authorization: `Basic ${Buffer.from(`x:${tokens.other}`).toString('base64')}` } });
    expect(log.status).toBe(404);

    expect((await scrapyd('listprojects.json', cluster.apiToken)).body).toMatchObject({ status: 'ok', projects: ['team'] });
    expect((await scrapyd('daemonstatus.json', cluster.apiToken)).body).toMatchObject({ status: 'ok', finished: 1 });
  });

  it("a wrong, revoked or malformed token is a 401 with Scrapyd's error shape and a basic-auth challenge", async () => {
    const forged = tokens.ed.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const revoked = await personalToken('ed');
    const list = (await m.api.withToken(revoked).get('/api/tokens')).body as { id: string }[];
    const id = revoked.slice(4, 28);
    expect(list.map((t) => t.id)).toContain(id);
    expect((await m.api.withToken(revoked).delete(`/api/tokens/${id}`)).status).toBe(204);
    for (const bad of [forged, revoked, 'cnp_not-a-token', '']) {
      const r = await scrapyd('listprojects.json', bad);
      expect({ bad, status: r.status, body: r.body }).toEqual({ bad, status: 401, body: { node_name: expect.any(String), status: 'error', message: expect.stringMatching(/wrong API token/) } });
    }
  });
});
