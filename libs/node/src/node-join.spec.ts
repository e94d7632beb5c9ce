import { Types } from 'mongoose';
import { joinNode, NodeHostDoc, NodeStatusDoc, NodeUserDoc } from './node-join';

const id = new Types.ObjectId();
const user: NodeUserDoc = { _id: id, key: 'k1', labels: [{ key: 'zone', value: 'eu' }], maxRunners: 3, enabled: false, registeredAt: new Date(1000) };
const host: NodeHostDoc = { _id: String(id), name: 'w1', hostname: 'h1', ip: '10.0.0.1', version: '1.2.3' };
const status: NodeStatusDoc = { _id: String(id), status: 'online', taskReady: true, runningTasks: 2, lastHeartbeatAt: new Date(5000), sessionId: 's1', connectedReplica: 'r1', resources: null };

describe('joinNode (three single-writer documents, one node)', () => {
  it('takes user fields from the user document only, even when a status or host document holds stale copies', () => {
    const staleStatus = { ...status, labels: [{ key: 'zone', value: 'OLD' }], maxRunners: 9, enabled: true } as NodeStatusDoc;
    const n = joinNode(user, host, staleStatus);
    expect(n).toMatchObject({ _id: id, key: 'k1', labels: [{ key: 'zone', value: 'eu' }], maxRunners: 3, enabled: false });
    expect(n).toMatchObject({ name: 'w1', hostname: 'h1', ip: '10.0.0.1', version: '1.2.3', status: 'online', taskReady: true, runningTasks: 2, sessionId: 's1' });
  });

  it('a node that never connected is offline; host facts of a document stored before the split are kept', () => {
    const legacy: NodeUserDoc = { ...user, name: 'old-name', hostname: 'old-host', ip: '1.1.1.1', version: '0.9', status: 'online', lastHeartbeatAt: new Date(7) };
    const n = joinNode(legacy, undefined, undefined);
    expect(n).toMatchObject({ name: 'old-name', hostname: 'old-host', ip: '1.1.1.1', version: '0.9', status: 'offline', taskReady: false, runningTasks: 0, sessionId: null });
    expect(n.lastHeartbeatAt).toEqual(new Date(7));
  });

  it('keeps heartbeat fields it does not know (added by later features) from the status document', () => {
    const withExtra = { ...status, runtimes: ['python3'] } as NodeStatusDoc;
    expect((joinNode(user, host, withExtra) as unknown as { runtimes: string[] }).runtimes).toEqual(['python3']);
  });
});
