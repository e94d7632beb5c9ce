import { ApiClient } from './support/api-client';
import { Master, TestCluster } from './support/cluster';
import { addMember, createProject, createUser, login, notifyFixture, NotifyFixture } from './support/access-fixtures';

/**
 * Notifications are per project: a member of project A manages (editor) or reads (viewer)
 * A's channels, rules and deliveries, and cannot see or change project B's, nor global ones
 * (admins only), nor send node events.
 */
describe('notifications: per-project access', () => {
  const cluster = new TestCluster('notifications-access');
  let m: Master;
  let root: ApiClient;
  let projectA: string;
  let projectB: string;
  let editorA: ApiClient;
  let viewerA: ApiClient;
  let b: NotifyFixture;
  let globalChannel: string;

  beforeAll(async () => {
    m = await cluster.startMaster();
    root = m.api;
    projectA = await createProject(root, 'notify-a');
    projectB = await createProject(root, 'notify-b');
    const ed = await createUser(root, 'n-editor-a');
    await addMember(root, projectA, ed, 'editor');
    editorA = root.withToken(await login(root, 'n-editor-a'));
    const vi = await createUser(root, 'n-viewer-a');
    await addMember(root, projectA, vi, 'viewer');
    viewerA = root.withToken(await login(root, 'n-viewer-a'));
    b = await notifyFixture(root, projectB);
    const g = await root.post('/api/notifications/channels', { name: 'ops', type: 'webhook', projectId: null, config: { url: 'http://127.0.0.1:9/ops' } });
    expect(g.status).toBe(201);
    globalChannel = g.body.id;
  }, 120_000);

  afterAll(() => cluster.stop());

  it("a member of project A cannot see or change project B's channels, rules and deliveries (404, like a missing id)", async () => {
    const ids = (r: { body: { id: string }[] }) => r.body.map((x) => x.id);
    const channels = await editorA.get('/api/notifications/channels');
    expect(channels.status).toBe(200);
    expect(ids(channels)).not.toContain(b.channelId);
    expect(ids(channels)).not.toContain(globalChannel);
    const rules = await editorA.get('/api/notifications/rules');
    expect(ids(rules)).not.toContain(b.ruleId);
    const deliveries = await editorA.get('/api/notifications/deliveries');
    expect(deliveries.status).toBe(200);
    expect(ids(deliveries)).not.toContain(b.deliveryId);
    // Filtering by B's channel or rule shows nothing either.
    expect((await editorA.get(`/api/notifications/deliveries?channelId=${b.channelId}`)).body).toEqual([]);

    expect((await editorA.get(`/api/notifications/channels/${b.channelId}`)).status).toBe(404);
    expect((await editorA.patch(`/api/notifications/channels/${b.channelId}`, { name: 'taken' })).status).toBe(404);
    expect((await editorA.post(`/api/notifications/channels/${b.channelId}/test`, {})).status).toBe(404);
    expect((await editorA.delete(`/api/notifications/channels/${b.channelId}`)).status).toBe(404);
    expect((await editorA.get(`/api/notifications/rules/${b.ruleId}`)).status).toBe(404);
    expect((await editorA.patch(`/api/notifications/rules/${b.ruleId}`, { enabled: false })).status).toBe(404);
    expect((await editorA.delete(`/api/notifications/rules/${b.ruleId}`)).status).toBe(404);
    expect((await editorA.post(`/api/notifications/deliveries/${encodeURIComponent(b.deliveryId)}/retry`, {})).status).toBe(404);
    // Nor create into B, nor point A's rule at B's channel, nor move A's channel to B.
    expect((await editorA.post('/api/notifications/channels', { name: 'x', type: 'webhook', projectId: projectB, config: { url: 'http://127.0.0.1:9/x' } })).status).toBe(404);
    expect((await editorA.post('/api/notifications/rules', { name: 'x', projectId: projectA, events: [{ type: 'task.error' }], channelIds: [b.channelId] })).status).toBe(404);
    const own = await editorA.post('/api/notifications/channels', { name: 'mine', type: 'webhook', projectId: projectA, config: { url: 'http://127.0.0.1:9/mine' } });
    expect(own.status).toBe(201);
    expect((await editorA.patch(`/api/notifications/channels/${own.body.id}`, { projectId: projectB })).status).toBe(404);

    // B's things are untouched.
    const still = await root.get(`/api/notifications/channels/${b.channelId}`);
    expect(still.status).toBe(200);
    expect(still.body.projectId).toBe(projectB);
    expect((await root.get(`/api/notifications/rules/${b.ruleId}`)).body.enabled).toBe(true);
  });

  it('an editor manages its project; a viewer reads it; global channels and node events are for admins', async () => {
    const a = await notifyFixture(editorA, projectA);
    const listed = await viewerA.get('/api/notifications/deliveries');
    expect(listed.body.map((d: { id: string }) => d.id)).toContain(a.deliveryId);
    expect((await viewerA.get(`/api/notifications/channels/${a.channelId}`)).status).toBe(200);
    expect((await viewerA.get(`/api/notifications/rules/${a.ruleId}`)).status).toBe(200);
    expect((await viewerA.patch(`/api/notifications/rules/${a.ruleId}`, { enabled: false })).status).toBe(403);
    expect((await viewerA.post(`/api/notifications/channels/${a.channelId}/test`, {})).status).toBe(403);
    expect((await viewerA.post('/api/notifications/channels', { name: 'v', type: 'webhook', projectId: projectA, config: { url: 'http://127.0.0.1:9/v' } })).status).toBe(403);
    const patched = await editorA.patch(`/api/notifications/rules/${a.ruleId}`, { enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body.enabled).toBe(false);

    // Global: refused to members, whether created so or moved there.
    expect((await editorA.post('/api/notifications/channels', { name: 'g', type: 'webhook', projectId: null, config: { url: 'http://127.0.0.1:9/g' } })).status).toBe(403);
    expect((await editorA.patch(`/api/notifications/channels/${a.channelId}`, { projectId: null })).status).toBe(403);
    expect((await editorA.get(`/api/notifications/channels/${globalChannel}`)).status).toBe(404);
    expect((await editorA.post('/api/notifications/rules', { name: 'g', projectId: projectA, events: [{ type: 'task.error' }], channelIds: [globalChannel] })).status).toBe(404);
    const node = await editorA.post('/api/notifications/rules', { name: 'n', projectId: projectA, events: [{ type: 'node.offline' }], channelIds: [a.channelId] });
    expect(node.status).toBe(400);
    expect(node.text).toMatch(/node events need a global rule/);
    // Admins (here the root token) see everything.
    const all = await root.get('/api/notifications/channels');
    expect(all.body.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([a.channelId, b.channelId, globalChannel]));
  });
});
