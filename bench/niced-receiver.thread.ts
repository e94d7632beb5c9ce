import { parentPort, workerData } from 'node:worker_threads';
import { HookReceiver } from '../test/support/notify-receivers';
import { lowerThreadPriority } from '../libs/notify/src/master/thread-priority';

/** The thread behind NicedHookReceiver (niced-receiver.ts): a HookReceiver at a lower priority, answering the bench's questions. */
async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  lowerThreadPriority(Number((workerData as { nice: number }).nice));
  const hooks = await HookReceiver.start();
  port.postMessage({ port: Number(new URL(hooks.url('/')).port) });
  port.on('message', (q: { id: number; op: string; path?: string; secret?: string; prefix?: string }) => {
    const answer = (value: unknown) => port.postMessage({ id: q.id, value });
    if (q.op === 'secret') {
      hooks.secret(q.path as string, q.secret as string);
      answer(null);
    } else if (q.op === 'count') {
      const mine = hooks.received.filter((r) => r.path.startsWith(q.prefix as string));
      answer({ received: mine.length, badSignatures: mine.filter((r) => r.signatureOk === false).length });
    } else if (q.op === 'on') {
      answer(hooks.on(q.path as string).map((r) => ({ path: r.path, at: r.at, eventAt: (r.body as { event?: { at?: string } })?.event?.at ?? null, signatureOk: r.signatureOk })));
    } else if (q.op === 'close') {
      void hooks.close().then(() => answer(null));
    }
  });
}

void main();
