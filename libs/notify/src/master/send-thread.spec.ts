import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendThread } from './send-thread';
import type { Message } from '../message-format';

const dir = mkdtempSync(join(tmpdir(), 'send-thread-'));
/** A stand-in thread file: real worker threads, scripted answers (the real one needs the compiled build). */
function threadFile(name: string, body: string): string {
  const f = join(dir, `${name}.js`);
  writeFileSync(f, `const { parentPort, workerData } = require('node:worker_threads');\n${body}`);
  return f;
}
const target = { type: 'webhook' as const, config: { url: 'http://127.0.0.1:9/' }, secrets: {}, eventType: 'task.finished' };
const message: Message = { deliveryId: 'd1', kind: 'test', events: [] };

describe('SendThread', () => {
  const threads: SendThread[] = [];
  const thread = (file: string) => {
    const t = new SendThread(file);
    threads.push(t);
    return t;
  };
  afterEach(async () => {
    await Promise.all(threads.splice(0).map((t) => t.close()));
  });

  it('answers each send with the outcome the thread posts for its id, in any order', async () => {
    const t = thread(
      threadFile(
        'echo',
        `const held = [];
         parentPort.on('message', (r) => {
           held.push(r);
           if (held.length === 2) for (const h of held.reverse()) parentPort.postMessage({ id: h.id, outcome: { ok: true, retryable: false, responseCode: 200, error: h.message.deliveryId, retryAfterMs: null, latencyMs: h.timeoutMs } });
         });`,
      ),
    );
    const [a, b] = await Promise.all([t.send(target, { ...message, deliveryId: 'a' }, 11), t.send(target, { ...message, deliveryId: 'b' }, 22)]);
    expect([a.error, a.latencyMs, b.error, b.latencyMs]).toEqual(['a', 11, 'b', 22]);
  });

  it('passes its nice value to the thread', async () => {
    const t = new SendThread(threadFile('nice', `parentPort.on('message', (r) => parentPort.postMessage({ id: r.id, outcome: { ok: true, error: String(workerData.nice) } }));`), 7);
    threads.push(t);
    expect((await t.send(target, message, 1000)).error).toBe('7');
  });

  it('a thread that dies mid-send: the send ends retryable, naming the thread, and the next send starts a new thread', async () => {
    const marker = join(dir, 'died-once');
    const t = thread(
      threadFile(
        'dies-once',
        `const fs = require('node:fs');
         parentPort.on('message', (r) => {
           if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, ''); process.exit(3); }
           parentPort.postMessage({ id: r.id, outcome: { ok: true, retryable: false, responseCode: 200, error: null, retryAfterMs: null, latencyMs: 1 } });
         });`,
      ),
    );
    const lost = await t.send(target, message, 1000);
    expect(lost).toMatchObject({ ok: false, retryable: true, responseCode: null });
    expect(lost.error).toMatch(/sender thread stopped \(exit code 3\).*not known whether it reached the receiver/);
    expect(await t.send(target, message, 1000)).toMatchObject({ ok: true, responseCode: 200 });
  });

  it('a thread that never answers: the send ends retryable once its timeout and the grace have passed', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const t = thread(threadFile('silent', `parentPort.on('message', () => undefined);`));
      const p = t.send(target, message, 1000);
      jest.advanceTimersByTime(1000 + 15_000);
      const o = await p;
      expect(o).toMatchObject({ ok: false, retryable: true });
      expect(o.error).toMatch(/did not answer within 16000 ms/);
    } finally {
      jest.useRealTimers();
    }
  });

  describe('without the compiled thread file (inline sends)', () => {
    let server: Server;
    let bodies: { headers: Record<string, unknown>; raw: string }[];
    beforeAll(async () => {
      server = createServer((req, res) => {
        let raw = '';
        req.on('data', (c) => (raw += c));
        req.on('end', () => {
          bodies.push({ headers: req.headers, raw });
          res.writeHead(503, { 'retry-after': '2' }).end();
        });
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    });

    it('signs and posts the message itself; a 503 is a retryable failure with its Retry-After', async () => {
      bodies = [];
      const t = thread(join(dir, 'absent.js'));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const o = await t.send({ ...target, config: { url }, secrets: { secret: 's3cret' } }, message, 2000);
      expect(o).toMatchObject({ ok: false, retryable: true, responseCode: 503, error: 'HTTP 503' });
      expect(o.retryAfterMs).toBeGreaterThan(1000);
      expect(bodies).toHaveLength(1);
      expect(bodies[0].headers['x-crawlnest-delivery']).toBe('d1');
      expect(String(bodies[0].headers['x-crawlnest-signature'])).toMatch(/^sha256=[0-9a-f]{64}$/);
    });
  });
});
