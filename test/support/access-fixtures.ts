import { ApiClient } from './api-client';

export type ProjectRole = 'viewer' | 'runner' | 'editor' | 'owner';

/** A password long enough for the policy (12+), different per user. */
export function passwordOf(username: string): string {
  return `pw-${username}-correct-horse`;
}

/** Creates a user with the root client; returns its id. */
export async function createUser(root: ApiClient, username: string, role: 'admin' | 'member' = 'member'): Promise<string> {
  const r = await root.post('/api/users', { username, password: passwordOf(username), role });
  if (r.status !== 201) throw new Error(`create user ${username}: ${r.status} ${r.text}`);
  return r.body.id as string;
}

export async function createProject(root: ApiClient, name: string): Promise<string> {
  const r = await root.post('/api/projects', { name });
  if (r.status !== 201) throw new Error(`create project ${name}: ${r.status} ${r.text}`);
  return r.body.id as string;
}

export async function addMember(root: ApiClient, projectId: string, userId: string, role: ProjectRole): Promise<void> {
  const r = await root.put(`/api/projects/${projectId}/members/${userId}`, JSON.stringify({ role }), 'application/json');
  if (r.status !== 200) throw new Error(`add member: ${r.status} ${r.text}`);
}

/** Signs in with the password; returns the session token. */
export async function login(api: ApiClient, username: string, password = passwordOf(username)): Promise<string> {
  const r = await api.withToken(null).post('/api/auth/login', { username, password });
  if (r.status !== 201) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  return r.body.token as string;
}

export type SpiderFixture = { spiderId: string; taskId: string; scheduleId: string };

let fixtures = 0;

/** A spider with one file, a pending task (no worker runs it) and a disabled schedule, in `projectId`. */
export async function spiderFixture(root: ApiClient, projectId: string): Promise<SpiderFixture> {
  const s = await root.post('/api/spiders', { name: `fx-${process.pid}-${++fixtures}`, cmd: 'sleep 30', projectId });
  if (s.status !== 201) throw new Error(`create spider: ${s.status} ${s.text}`);
  const spiderId = s.body.id as string;
  const up = await root.putFiles(`/api/spiders/${spiderId}/files`, { 'main.py': 'print(1)\n', 'lib/util.py': 'x = 1\n' });
  if (up.status !== 200) throw new Error(`upload: ${up.status} ${up.text}`);
  const t = await root.post('/api/tasks', { spiderId });
  if (t.status !== 201) throw new Error(`create task: ${t.status} ${t.text}`);
  const sc = await root.post('/api/schedules', { spiderId, cron: '0 0 1 1 *', enabled: false });
  if (sc.status !== 201) throw new Error(`create schedule: ${sc.status} ${sc.text}`);
  return { spiderId, taskId: t.body.tasks[0].id as string, scheduleId: sc.body.id as string };
}

export type NotifyFixture = { channelId: string; ruleId: string; deliveryId: string };

/**
 * A webhook channel of `projectId` (pointing at a closed port), a rule using it and a delivery
 * (the channel's test send, failed: nothing listens there).
 */
export async function notifyFixture(api: ApiClient, projectId: string): Promise<NotifyFixture> {
  const n = ++fixtures;
  const ch = await api.post('/api/notifications/channels', { name: `fx-ch-${process.pid}-${n}`, type: 'webhook', projectId, config: { url: 'http://127.0.0.1:9/hook', timeoutMs: 2000 } });
  if (ch.status !== 201) throw new Error(`create channel: ${ch.status} ${ch.text}`);
  const channelId = ch.body.id as string;
  const rule = await api.post('/api/notifications/rules', { name: `fx-rule-${process.pid}-${n}`, projectId, events: [{ type: 'task.error' }], channelIds: [channelId] });
  if (rule.status !== 201) throw new Error(`create rule: ${rule.status} ${rule.text}`);
  const test = await api.post(`/api/notifications/channels/${channelId}/test`, {});
  if (test.status !== 200) throw new Error(`test channel: ${test.status} ${test.text}`);
  return { channelId, ruleId: rule.body.id as string, deliveryId: test.body.deliveryId as string };
}
