import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from './support/api-client';
import { Master, TestCluster } from './support/cluster';
import { PROJECT_ROOT } from './support/ferretdb-server';
import { addMember, createProject, createUser, login, notifyFixture, NotifyFixture, passwordOf, ProjectRole, spiderFixture, SpiderFixture } from './support/access-fixtures';

/**
 * The access matrix: every route of the OpenAPI document, called as every kind of caller,
 * answers what the model says (docs/security.md): 401 without a valid credential, 404 for a
 * project the caller is not in, 403 naming the role a member lacks, 2xx otherwise. Routes
 * come from the live document, so a route added without an entry in NEED fails here.
 */

type Need = 'public' | 'signed-in' | 'self' | 'admin' | 'read' | 'run' | 'edit' | 'manage';

const NEED: Record<string, Need> = {
  'get /api/health': 'public',
  'post /api/auth/login': 'public',
  'post /api/auth/logout': 'signed-in',
  'get /api/me': 'signed-in',
  'get /api/stats': 'signed-in',
  'get /api/stats/activity': 'admin',
  'get /api/nodes': 'signed-in',
  'get /api/nodes/{id}': 'signed-in',
  'get /api/nodes/{id}/environments': 'signed-in',
  'get /api/nodes/{id}/history': 'signed-in',
  'patch /api/nodes/{id}': 'admin',
  'delete /api/nodes/{id}': 'admin',
  'post /api/spiders': 'edit',
  'get /api/spiders': 'signed-in',
  'get /api/spiders/{id}': 'read',
  'patch /api/spiders/{id}': 'edit',
  'delete /api/spiders/{id}': 'edit',
  'put /api/spiders/{id}/files': 'edit',
  'get /api/spiders/{id}/files': 'read',
  'get /api/spiders/{id}/files/{path}': 'read',
  'put /api/spiders/{id}/files/{path}': 'edit',
  'delete /api/spiders/{id}/files/{path}': 'edit',
  'post /api/spiders/{id}/prepare': 'run',
  'get /api/spiders/{id}/versions': 'read',
  'get /api/spiders/{id}/versions/{version}/files': 'read',
  'get /api/spiders/{id}/versions/{version}/files/{path}': 'read',
  'get /api/spiders/{id}/versions/{a}/diff/{b}': 'read',
  'post /api/spiders/{id}/versions/{version}/restore': 'edit',
  'get /api/spiders/{id}/versions/{version}/archive': 'read',
  'post /api/spiders/{id}/changes': 'edit',
  'get /api/spiders/{id}/stats': 'read',
  'get /api/limits': 'signed-in',
  'put /api/spiders/{id}/git': 'edit',
  'get /api/spiders/{id}/git': 'read',
  'delete /api/spiders/{id}/git': 'edit',
  'get /api/spiders/{id}/git/versions': 'read',
  'post /api/spiders/{id}/git/pull': 'edit',
  'post /api/git/webhook': 'public',
  'post /api/notifications/channels': 'edit',
  'get /api/notifications/channels': 'signed-in',
  'get /api/notifications/channels/{id}': 'read',
  'patch /api/notifications/channels/{id}': 'edit',
  'delete /api/notifications/channels/{id}': 'edit',
  'post /api/notifications/channels/{id}/test': 'edit',
  'post /api/notifications/rules': 'edit',
  'get /api/notifications/rules': 'signed-in',
  'get /api/notifications/rules/{id}': 'read',
  'patch /api/notifications/rules/{id}': 'edit',
  'delete /api/notifications/rules/{id}': 'edit',
  'get /api/notifications/deliveries': 'signed-in',
  'post /api/notifications/deliveries/{id}/retry': 'edit',
  'get /api/spiders/{id}/results': 'read',
  'get /api/spiders/{id}/results/fields': 'read',
  'get /api/spiders/{id}/results/export': 'read',
  'delete /api/spiders/{id}/results': 'edit',
  'post /api/tasks': 'run',
  'get /api/tasks': 'signed-in',
  'get /api/tasks/{id}': 'read',
  'post /api/tasks/{id}/cancel': 'run',
  'post /api/tasks/{id}/restart': 'run',
  'get /api/tasks/{id}/logs': 'read',
  'get /api/tasks/{id}/logs/stream': 'read',
  'get /api/tasks/{id}/results': 'read',
  'post /api/schedules': 'edit',
  'get /api/schedules': 'signed-in',
  'get /api/schedules/{id}': 'read',
  'patch /api/schedules/{id}': 'edit',
  'delete /api/schedules/{id}': 'edit',
  'post /api/users': 'admin',
  'get /api/users': 'signed-in',
  'get /api/users/{id}': 'signed-in',
  'patch /api/users/{id}': 'admin',
  'post /api/projects': 'admin',
  'get /api/projects': 'signed-in',
  'get /api/projects/{id}': 'read',
  'put /api/projects/{id}/members/{userId}': 'manage',
  'delete /api/projects/{id}/members/{userId}': 'manage',
  'post /api/tokens': 'self',
  'get /api/tokens': 'self',
  'delete /api/tokens/{id}': 'self',
  'get /api/audit': 'manage',
  'get /metrics': 'admin',
};

const CALLERS = ['none', 'wrong', 'disabled', 'revoked', 'non-member', 'viewer', 'runner', 'editor', 'owner', 'admin', 'root'] as const;
type CallerName = (typeof CALLERS)[number];
const ROLE_RANK: Record<string, number> = { viewer: 0, runner: 1, editor: 2, owner: 3 };
const NEED_RANK: Record<string, number> = { read: 0, run: 1, edit: 2, manage: 3 };

/** What the model says a caller gets: 'ok' (the route's own answer), or the refusal. */
function expected(need: Need, caller: CallerName): 'ok' | 401 | 403 | 404 {
  if (need === 'public') return 'ok';
  if (caller === 'none' || caller === 'wrong' || caller === 'disabled' || caller === 'revoked') return 401;
  if (caller === 'root' || caller === 'admin' || need === 'signed-in' || need === 'self') return 'ok';
  if (need === 'admin') return 403;
  if (caller === 'non-member') return 404;
  return ROLE_RANK[caller] >= NEED_RANK[need] ? 'ok' : 403;
}

/** The route's own answers when access is granted (nodes: none exist here, so 404 is its answer). */
function okStatuses(route: string, caller: CallerName): number[] {
  if (route.includes('/api/nodes/{id}')) return [404];
  if (route === 'post /api/git/webhook') return [403]; // off while CRAWLNEST_GIT_WEBHOOK_SECRET is unset
  // A fixture spider has no git source unless a call set one: its own answers are 404 (none) or 400 (pull fails).
  if (route.includes('/git')) return [200, 201, 204, 400, 404];
  // Notification fixtures: a channel a rule uses (its delete answers 400) and a test delivery (not retried: 400).
  if (route === 'delete /api/notifications/channels/{id}' || route === 'post /api/notifications/deliveries/{id}/retry') return [400];
  if (route === 'post /api/spiders/{id}/prepare') return [400]; // all-nodes with no node: "mode: no online enabled node matches"
  if (NEED[route] === 'self' && caller === 'root' && !route.startsWith('get')) return [400]; // the root token has no personal tokens
  return [200, 201, 204];
}

type Call = { method: string; path: string; json?: unknown; raw?: { body: string; type: string }; files?: Record<string, string> };

describe('access matrix: every route × every kind of caller', () => {
  const cluster = new TestCluster('access-matrix');
  let master: Master;
  let root: ApiClient;
  let projectA: string;
  let shared: SpiderFixture;
  let sharedNotify: NotifyFixture;
  let spareUserId: string;
  const clients = new Map<CallerName, ApiClient>();
  const usernames = new Map<CallerName, string>();
  let seq = 0;

  beforeAll(async () => {
    master = await cluster.startMaster();
    root = master.api;
    projectA = await createProject(root, 'matrix-a');
    const projectB = await createProject(root, 'matrix-b');
    clients.set('none', root.withToken(null));
    clients.set('wrong', root.withToken(`cnp_0123456789abcdef01234567_${'A'.repeat(43)}`));
    clients.set('root', root);
    const members: [CallerName, string, ProjectRole | null][] = [
      ['viewer', projectA, 'viewer'],
      ['runner', projectA, 'runner'],
      ['editor', projectA, 'editor'],
      ['owner', projectA, 'owner'],
      ['non-member', projectB, 'owner'],
      ['disabled', projectA, 'owner'],
      ['revoked', projectA, 'owner'],
    ];
    for (const [caller, project, role] of members) {
      const name = `m-${caller}`;
      const id = await createUser(root, name);
      if (role) await addMember(root, project, id, role);
      usernames.set(caller, name);
      clients.set(caller, root.withToken(await login(root, name)));
    }
    await createUser(root, 'm-admin', 'admin');
    usernames.set('admin', 'm-admin');
    clients.set('admin', root.withToken(await login(root, 'm-admin')));
    // The runner acts through a personal token (not a session): both kinds carry the user's roles.
    const pat = await clients.get('runner')!.post('/api/tokens', { name: 'matrix' });
    expect(pat.status).toBe(201);
    clients.set('runner', root.withToken(pat.body.token));
    // Revoked: a personal token that worked, then was revoked.
    const revokedPat = await clients.get('revoked')!.post('/api/tokens', { name: 'to-revoke' });
    const revokedClient = root.withToken(revokedPat.body.token);
    expect((await revokedClient.get('/api/me')).status).toBe(200);
    expect((await revokedClient.delete(`/api/tokens/${revokedPat.body.id}`)).status).toBe(204);
    clients.set('revoked', revokedClient);
    // Disabled: a session that worked, then its user was disabled.
    expect((await clients.get('disabled')!.get('/api/me')).status).toBe(200);
    const me = await clients.get('disabled')!.get('/api/me');
    expect((await root.patch(`/api/users/${me.body.id}`, { disabled: true })).status).toBe(200);
    spareUserId = await createUser(root, 'm-spare');
    shared = await spiderFixture(root, projectA);
    sharedNotify = await notifyFixture(root, projectA);
  }, 120_000);

  afterAll(() => cluster.stop());

  /** The request for `route`, against `fx` (ids of this caller's own resources where it makes tokens). */
  async function callFor(route: string, fx: SpiderFixture, caller: CallerName, client: ApiClient, nfx: NotifyFixture = sharedNotify): Promise<Call> {
    const [method, template] = route.split(' ');
    const n = ++seq;
    let path = template
      .replace('{path}', 'main.py')
      .replace('{version}', '1')
      .replace('{a}', '1')
      .replace('{b}', '1')
      .replace('{userId}', spareUserId)
      .replace('{id}', () => {
        if (template.startsWith('/api/spiders/')) return fx.spiderId;
        if (template.startsWith('/api/tasks/')) return fx.taskId;
        if (template.startsWith('/api/schedules/')) return fx.scheduleId;
        if (template.startsWith('/api/projects/')) return projectA;
        if (template.startsWith('/api/users/')) return spareUserId;
        if (template.startsWith('/api/notifications/channels/')) return nfx.channelId;
        if (template.startsWith('/api/notifications/rules/')) return nfx.ruleId;
        if (template.startsWith('/api/notifications/deliveries/')) return encodeURIComponent(nfx.deliveryId);
        return '0123456789abcdef01234567';
      });
    const call: Call = { method: method.toUpperCase(), path };
    switch (route) {
      case 'post /api/auth/login':
        call.json = { username: 'm-viewer', password: passwordOf('m-viewer') };
        break;
      case 'post /api/spiders':
        call.json = { name: `matrix-${n}`, cmd: 'true', projectId: projectA };
        break;
      case 'patch /api/spiders/{id}':
        call.json = { description: `d${n}` };
        break;
      case 'put /api/spiders/{id}/files':
        call.files = { 'main.py': `print(${n})\n` };
        break;
      case 'put /api/spiders/{id}/files/{path}':
        call.raw = { body: `print(${n})\n`, type: 'application/octet-stream' };
        break;
      case 'post /api/spiders/{id}/changes': {
        const field = (name: string, value: string) => `--matrix\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
        call.raw = { body: `${field('baseVersion', '1')}${field('changes', JSON.stringify([{ op: 'mkdir', path: `d${n}` }]))}--matrix--\r\n`, type: 'multipart/form-data; boundary=matrix' };
        break;
      }
      case 'put /api/spiders/{id}/git':
        call.json = { url: 'file:///nonexistent/matrix.git' };
        break;
      case 'post /api/spiders/{id}/prepare':
        call.json = {};
        break;
      case 'post /api/tasks':
        call.json = { spiderId: fx.spiderId };
        break;
      case 'post /api/schedules':
        call.json = { spiderId: fx.spiderId, cron: '0 0 1 1 *', enabled: false };
        break;
      case 'patch /api/schedules/{id}':
        call.json = { enabled: false };
        break;
      case 'patch /api/nodes/{id}':
        call.json = { enabled: true };
        break;
      case 'post /api/users':
        call.json = { username: `u-${n}`, password: passwordOf(`u-${n}`) };
        break;
      case 'patch /api/users/{id}':
        call.json = { disabled: false };
        break;
      case 'post /api/projects':
        call.json = { name: `p-${n}` };
        break;
      case 'put /api/projects/{id}/members/{userId}':
        call.json = { role: 'viewer' };
        break;
      case 'post /api/tokens':
        call.json = { name: `t${n}` };
        break;
      case 'delete /api/tokens/{id}': {
        // The caller's own token (when it has a user): made just before with its credential.
        const made = await client.post('/api/tokens', { name: `del${n}` });
        call.path = `/api/tokens/${made.status === 201 ? made.body.id : '0123456789abcdef01234567'}`;
        break;
      }
      case 'post /api/notifications/channels':
        call.json = { name: `matrix-ch-${n}`, type: 'webhook', projectId: projectA, config: { url: 'http://127.0.0.1:9/hook' } };
        break;
      case 'patch /api/notifications/channels/{id}':
        call.json = { name: `matrix-ch-${n}` };
        break;
      case 'post /api/notifications/rules':
        call.json = { name: `matrix-rule-${n}`, projectId: projectA, events: [{ type: 'task.error' }], channelIds: [nfx.channelId] };
        break;
      case 'patch /api/notifications/rules/{id}':
        call.json = { enabled: false };
        break;
      case 'get /api/audit':
        call.path = `/api/audit?projectId=${projectA}`;
        break;
    }
    return call;
  }

  async function send(client: ApiClient, call: Call): Promise<number> {
    if (call.path.endsWith('/logs/stream')) {
      // An open event stream: the status line is the answer; stop reading there.
      const ctl = new AbortController();
      const headers: Record<string, string> = {};
      const token = (client as unknown as { token: string | null }).token;
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(client.baseUrl + call.path, { headers, signal: ctl.signal });
      ctl.abort();
      return res.status;
    }
    if (call.files) return (await client.putFiles(call.path, call.files)).status;
    if (call.raw) return (await client.request(call.method, call.path, call.raw.body, call.raw.type)).status;
    return (await client.request(call.method, call.path, call.json === undefined ? undefined : JSON.stringify(call.json), call.json === undefined ? undefined : 'application/json')).status;
  }

  /** A client for a call that ends its own credential (sign-out): a fresh session of the same user. */
  async function clientFor(route: string, caller: CallerName): Promise<ApiClient> {
    const c = clients.get(caller)!;
    if (route !== 'post /api/auth/logout' || expected('signed-in', caller) !== 'ok') return c;
    const name = usernames.get(caller);
    return name && caller !== 'runner' ? root.withToken(await login(root, name)) : c;
  }

  it('every route answers each caller as the model says (the matrix is printed)', async () => {
    const docRes = await root.withToken(null).get<{ paths: Record<string, Record<string, unknown>> }>('/api/docs-json');
    expect(docRes.status).toBe(200);
    const routes = Object.entries(docRes.body.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
      .sort();
    const unknown = routes.filter((r) => !(r in NEED));
    // A new route must say who may call it: add it to NEED (and give it an @Access rule).
    expect(unknown).toEqual([]);

    const rows: string[][] = [];
    const wrong: string[] = [];
    for (const route of routes) {
      const row = [route, NEED[route]];
      for (const caller of CALLERS) {
        const want = expected(NEED[route], caller);
        const writes = !route.startsWith('get ');
        // A granted write gets resources of its own, so one caller's delete leaves the next caller's intact.
        const fx = writes && want === 'ok' ? await spiderFixture(root, projectA) : shared;
        const nfx = writes && want === 'ok' && route.includes('/api/notifications/') ? await notifyFixture(root, projectA) : sharedNotify;
        const client = await clientFor(route, caller);
        const status = await send(client, await callFor(route, fx, caller, client, nfx));
        const ok = want === 'ok' ? okStatuses(route, caller).includes(status) : status === want;
        row.push(ok ? String(status) : `${status}!`);
        if (!ok) wrong.push(`${route} as ${caller}: ${status}, expected ${want === 'ok' ? okStatuses(route, caller).join('|') : want}`);
      }
      rows.push(row);
    }
    const header = ['route', 'need', ...CALLERS];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const table = [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
    const dir = join(PROJECT_ROOT, '.test-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'access-matrix.txt'), table + '\n');
    process.stdout.write(`access matrix (${routes.length} routes × ${CALLERS.length} callers; also in .test-results/access-matrix.txt):\n${table}\n`);
    expect(wrong).toEqual([]);
  }, 600_000);

  it('a 403 names the role needed; a 404 does not reveal the resource', async () => {
    const r = await clients.get('viewer')!.post(`/api/tasks/${shared.taskId}/cancel`);
    expect(r.status).toBe(403);
    expect(r.body.message).toContain('runner');
    const hidden = await clients.get('non-member')!.get(`/api/tasks/${shared.taskId}`);
    const missing = await clients.get('non-member')!.get('/api/tasks/0123456789abcdef01234567');
    expect([hidden.status, hidden.body.message]).toEqual([missing.status, missing.body.message]);
  });

  it('the whole audit log is for admins; an owner reads only with their projectId', async () => {
    expect((await clients.get('owner')!.get('/api/audit')).status).toBe(403);
    const mine = await clients.get('owner')!.get(`/api/audit?projectId=${projectA}`);
    expect(mine.status).toBe(200);
    expect(mine.body.length).toBeGreaterThan(0);
    expect(mine.body.every((e: { projectId: string }) => e.projectId === projectA)).toBe(true);
    const all = await clients.get('admin')!.get('/api/audit?action=auth.login.success');
    expect(all.status).toBe(200);
    expect(all.body.map((e: { username: string }) => e.username)).toEqual(expect.arrayContaining(['m-viewer', 'm-admin']));
  });
});
