import { parentPort, workerData } from 'node:worker_threads';
import type { Message } from '../message-format';
import { httpSend, keptAliveAgents, SendTarget } from './http-send';
import { lowerThreadPriority } from './thread-priority';

/**
 * The notification sender thread (started by send-thread.ts): builds, signs and POSTs webhook
 * and chat messages. It runs at a lower CPU priority than the master's main thread, so on a
 * busy master the sends (ten POSTs per event with ten rules) take the CPU task dispatch leaves
 * idle instead of competing with it.
 */
export type SendRequest = { id: number; target: SendTarget; message: Message; timeoutMs: number };

const port = parentPort;
if (port) {
  lowerThreadPriority(Number((workerData as { nice?: number } | null)?.nice ?? 0));
  const agents = keptAliveAgents();
  port.on('message', (req: SendRequest) => {
    void httpSend(req.target, req.message, req.timeoutMs, agents).then((outcome) => port.postMessage({ id: req.id, outcome }));
  });
}
