import { ApiClient } from './support/api-client';
import { Master, TestCluster } from './support/cluster';
import { DbSnapshotter } from './support/db-snapshot';
import { waitFor } from './support/wait';
import { addMember, createProject, createUser, login, passwordOf, spiderFixture } from './support/access-fixtures';

/** The secret part of `cn<kind>_<24-hex id>_<secret>`; the base64url secret may itself hold `_`. */
function secretOf(token: string): string {
  return token.slice('cnx_'.length + 24 + 1);
}

/** Sign-in, sessions, tokens and what they leave behind (docs/security.md). */
describe('credentials: storage, throttling, expiry, CSRF, filtered lists', () => {
  const cluster = new TestCluster('access-credentials');
  let master: Master;
  let short: Master;
  let root: ApiClient;

  beforeAll(async () => {
    master = await cluster.startMaster();
    // Same database, short session limits (idle 2 s, absolute 6 s), its own login throttle.
    short = await cluster.startMaster({ CRAWLNEST_SESSION_IDLE_SEC: '2', CRAWLNEST_SESSION_MAX_SEC: '6' });
    root = master.api;
  }, 120_000);

  afterAll(() => cluster.stop());

  it('no password, session token, CSRF token or personal token is stored or logged in plain text', async () => {
    const userId = await createUser(root, 'secret-keeper');
    const password = passwordOf('secret-keeper');
    const res = await fetch(`${master.api.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'secret-keeper', password }) });
    expect(res.status).toBe(201);
    const session = (await res.json()) as { token: string; csrfToken: string };
    const user = root.withToken(session.token);
    const pat = await user.post('/api/tokens', { name: 'ci', expiresInDays: 30 });
    expect(pat.status).toBe(201);
    expect((await root.withToken(pat.body.token).get('/api/me')).body.id).toBe(userId);
    const newPassword = 'a-new-password-nobody-knows';
    expect((await root.patch(`/api/users/${userId}`, { password: newPassword })).status).toBe(200);
    const wrongPassword = 'wrong-password-typed-by-mistake';
    expect((await root.withToken(null).post('/api/auth/login', { username: 'secret-keeper', password: wrongPassword })).status).toBe(401);
    expect((await root.withToken(null).post('/api/auth/login', { username: 'secret-keeper', password: newPassword })).status).toBe(201);

    const secrets: Record<string, string> = {
      password,
      newPassword,
      wrongPassword,
      sessionToken: session.token,
      sessionSecret: secretOf(session.token),
      csrfToken: session.csrfToken,
      personalToken: pat.body.token,
      personalSecret: secretOf(pat.body.token),
    };
    const snap = await DbSnapshotter.open(cluster.mongoUri, cluster.dbName);
    let dump: string;
    try {
      dump = await snap.snapshot();
    } finally {
      await snap.close();
    }
    // The dump holds the users and credentials at all (so the search below means something).
    expect(dump).toContain('secret-keeper');
    expect(dump).toContain('scrypt$');
    const logs = master.proc.output() + short.proc.output();
    const found = Object.entries(secrets).flatMap(([name, value]) => [...(dump.includes(value) ? [`${name} in the database`] : []), ...(logs.includes(value) ? [`${name} in the master log`] : [])]);
    expect(found).toEqual([]);
  });

  it('after 5 failed sign-ins for a username (or from an address) within 5 minutes, the next get 429 with Retry-After, audited', async () => {
    await createUser(root, 'guessed');
    const anon = short.api.withToken(null);
    for (let i = 0; i < 5; i++) expect((await anon.post('/api/auth/login', { username: 'guessed', password: `guess-number-${i}` })).status).toBe(401);
    const held = await anon.post('/api/auth/login', { username: 'guessed', password: passwordOf('guessed') });
    expect(held.status).toBe(429);
    const retryAfter = Number(held.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(250);
    expect(retryAfter).toBeLessThanOrEqual(300);
    // The same address, another username: held back too (5 failures from 127.0.0.1).
    await createUser(root, 'innocent');
    expect((await anon.post('/api/auth/login', { username: 'innocent', password: passwordOf('innocent') })).status).toBe(429);
    // The other master replica keeps its own count: the right password works there.
    expect((await master.api.withToken(null).post('/api/auth/login', { username: 'guessed', password: passwordOf('guessed') })).status).toBe(201);
    const audit = await root.get('/api/audit?action=auth.login.failure');
    expect(audit.body.filter((e: { username: string }) => e.username === 'guessed')).toHaveLength(5);
    const throttled = await root.get('/api/audit?action=auth.login.throttled');
    expect(throttled.body.map((e: { username: string; status: number }) => [e.username, e.status])).toEqual(expect.arrayContaining([['guessed', 429], ['innocent', 429]]));
  });

  it('a session unused for the idle limit ends; one in use ends at the absolute limit', async () => {
    await createUser(root, 'sleeper');
    // Sign in on the first master (the other one's throttle holds 127.0.0.1 now); sessions are
    // shared through the database and the short master applies its own limits.
    const idle = short.api.withToken(await login(master.api, 'sleeper'));
    expect((await idle.get('/api/me')).status).toBe(200);
    // Idle means no request at all, so this waits without polling: 2 s limit, 3 s pause.
    await new Promise((r) => setTimeout(r, 3000));
    const expired = await idle.get('/api/me');
    expect([expired.status, expired.body.message]).toEqual([401, 'session expired: sign in again']);

    const busy = short.api.withToken(await login(master.api, 'sleeper'));
    const started = Date.now();
    // Used every 500 ms (never idle), it still ends once 6 s have passed since sign-in.
    await waitFor('the busy session to reach its absolute limit', async () => (await busy.get('/api/me')).status === 401, 15_000, 500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
  });

  it('a cookie-authenticated write without the CSRF token is refused; with it, it passes', async () => {
    await createUser(root, 'browser');
    const res = await fetch(`${master.api.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'browser', password: passwordOf('browser') }) });
    const cookies = res.headers.getSetCookie();
    const sessionCookie = cookies.find((c) => c.startsWith('crawlnest_session='))!;
    expect(sessionCookie).toMatch(/HttpOnly/i);
    expect(sessionCookie).toMatch(/SameSite=Strict/i);
    const csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
    const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
    const call = (method: string, path: string, headers: Record<string, string> = {}) =>
      fetch(master.api.baseUrl + path, { method, headers: { cookie, 'content-type': 'application/json', ...headers }, body: method === 'GET' ? undefined : JSON.stringify({ name: 'browser-token' }) });
    expect((await call('GET', '/api/me')).status).toBe(200);
    const refused = await call('POST', '/api/tokens');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain('CSRF');
    expect((await call('POST', '/api/tokens', { 'x-csrf-token': 'not-the-token' })).status).toBe(403);
    expect((await call('POST', '/api/tokens', { 'x-csrf-token': csrf })).status).toBe(201);
    // Sign-out ends the cookie session.
    expect((await call('POST', '/api/auth/logout', { 'x-csrf-token': csrf })).status).toBe(204);
    expect((await call('GET', '/api/me')).status).toBe(401);
  });

  it('lists and /api/stats hold only what the caller may see', async () => {
    const a = await createProject(root, 'lists-a');
    const b = await createProject(root, 'lists-b');
    const fa = await spiderFixture(root, a);
    const fb = await spiderFixture(root, b);
    await spiderFixture(root, b);
    const viewerId = await createUser(root, 'lists-viewer');
    await addMember(root, a, viewerId, 'viewer');
    const viewer = root.withToken(await login(root, 'lists-viewer'));

    const spiders = await viewer.get('/api/spiders');
    expect(spiders.body.map((s: { id: string }) => s.id)).toEqual([fa.spiderId]);
    const tasks = await viewer.get('/api/tasks?size=100');
    expect(tasks.body.items.map((t: { id: string }) => t.id)).toEqual([fa.taskId]);
    expect(tasks.body.total).toBe(1);
    expect((await viewer.get(`/api/tasks?spiderId=${fb.spiderId}`)).body).toMatchObject({ items: [], total: 0 });
    const schedules = await viewer.get('/api/schedules');
    expect(schedules.body.map((s: { id: string }) => s.id)).toEqual([fa.scheduleId]);
    const projects = await viewer.get('/api/projects');
    expect(projects.body.map((p: { id: string; role: string }) => [p.id, p.role])).toEqual([[a, 'viewer']]);
    const me = await viewer.get('/api/me');
    expect(me.body).toMatchObject({ username: 'lists-viewer', role: 'member', projects: [{ id: a, name: 'lists-a', role: 'viewer' }] });

    const mine = await viewer.get('/api/stats');
    const all = await root.get('/api/stats');
    expect(mine.body.tasks.pending).toBe(1);
    expect(all.body.tasks.pending).toBeGreaterThanOrEqual(3);
    // A member of nothing counts nothing.
    await createUser(root, 'lists-nobody');
    const nobody = root.withToken(await login(root, 'lists-nobody'));
    expect((await nobody.get('/api/stats')).body.tasks.pending).toBe(0);
    expect((await nobody.get('/api/spiders')).body).toEqual([]);
  });

  it('disabling a user stops their sessions and tokens at once; spiders of before projects are in "default"', async () => {
    const id = await createUser(root, 'leaver');
    const session = root.withToken(await login(root, 'leaver'));
    const pat = (await session.post('/api/tokens', { name: 'x' })).body.token as string;
    expect((await root.withToken(pat).get('/api/me')).status).toBe(200);
    expect((await root.patch(`/api/users/${id}`, { disabled: true })).status).toBe(200);
    expect((await session.get('/api/me')).status).toBe(401);
    expect((await root.withToken(pat).get('/api/me')).status).toBe(401);
    expect((await root.withToken(null).post('/api/auth/login', { username: 'leaver', password: passwordOf('leaver') })).status).toBe(401);

    const projects = await root.get('/api/projects');
    const def = projects.body.find((p: { name: string }) => p.name === 'default');
    expect(def).toBeDefined();
    const created = await root.post('/api/spiders', { name: 'no-project-given', cmd: 'true' });
    expect(created.body.projectId).toBe(def.id);
  });

  it('refuses short passwords and unknown projects with 400', async () => {
    const r = await root.post('/api/users', { username: 'shorty', password: 'short' });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.message)).toContain('password');
    const s = await root.post('/api/spiders', { name: 'lost', cmd: 'true', projectId: '0123456789abcdef01234567' });
    expect(s.status).toBe(400);
  });
});
