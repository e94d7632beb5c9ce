import { Agent as HttpAgent, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ChannelConfig, ChannelSecrets, ChannelType } from '../notify.types';
import { chatBody, Message, webhookBody } from '../message-format';
import { isRetryableStatus, retryAfterMs } from '../retry-plan';
import { signBody } from '../signature';

/** One attempt's outcome, recorded on the delivery. */
export type SendOutcome = { ok: boolean; retryable: boolean; responseCode: number | null; error: string | null; retryAfterMs: number | null; latencyMs: number };

export type SendTarget = { type: ChannelType; config: ChannelConfig; secrets: ChannelSecrets; eventType: string };

export type HttpAgents = { http: HttpAgent; https: HttpsAgent };

/** Connections to receivers kept alive between sends (ten rules make ten POSTs per event). */
export function keptAliveAgents(): HttpAgents {
  return { http: new HttpAgent({ keepAlive: true, maxSockets: 64 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 64 }) };
}

/**
 * One webhook or chat message as an HTTP POST: the body for the channel's type, its signature
 * (webhooks with a secret), the POST and its outcome. Never throws. Runs in the sender thread
 * (send-thread.worker.ts), or inline where that thread cannot run.
 */
export async function httpSend(target: SendTarget, m: Message, timeoutMs: number, agents: HttpAgents): Promise<SendOutcome> {
  const t0 = Date.now();
  const took = () => Date.now() - t0;
  try {
    const body = JSON.stringify(target.type === 'webhook' ? webhookBody(m) : chatBody(target.config.format ?? 'slack', m));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Crawlnest-Notifications/1' };
    if (target.type === 'webhook') {
      headers['x-crawlnest-event'] = target.eventType;
      headers['x-crawlnest-delivery'] = m.deliveryId;
      if (target.secrets.secret) headers['x-crawlnest-signature'] = signBody(target.secrets.secret, body);
    }
    const res = await post(target.config.url as string, headers, body, timeoutMs, agents);
    const ok = res.status >= 200 && res.status < 300;
    const retryAfter = res.headers['retry-after'];
    return {
      ok,
      retryable: !ok && isRetryableStatus(res.status),
      responseCode: res.status,
      error: ok ? null : `HTTP ${res.status}`,
      retryAfterMs: retryAfterMs(typeof retryAfter === 'string' ? retryAfter : null, Date.now()),
      latencyMs: took(),
    };
  } catch (err) {
    return failedSend(err as Error, timeoutMs, took());
  }
}

/** The outcome of a send that threw: a timeout or a connection error, worth a retry. */
export function failedSend(e: Error & { responseCode?: number }, timeoutMs: number, latencyMs: number): SendOutcome {
  const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
  return { ok: false, retryable: true, responseCode: e.responseCode ?? null, error: timedOut ? `timed out after ${timeoutMs} ms` : describeError(e), retryAfterMs: null, latencyMs };
}

export function describeError(e: Error & { cause?: unknown }): string {
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${e.message}${cause}`.slice(0, 500);
}

/**
 * One POST; redirects are not followed (a 3xx is the outcome). The response body is read and
 * dropped so the connection is kept for the next send; the timeout covers the whole exchange,
 * a receiver that hangs in its body included.
 */
function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, agents: HttpAgents): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      reject(new Error(`unsupported URL scheme ${u.protocol}`));
      return;
    }
    const https = u.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(u, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: https ? agents.https : agents.http }, (res) => {
      res.on('data', () => undefined);
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new Error('the receiver closed the connection mid-response'));
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      });
    });
    const timer = setTimeout(() => {
      const e = new Error(`timed out after ${timeoutMs} ms`);
      e.name = 'TimeoutError';
      req.destroy(e);
    }, timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      reject(err);
    }
    req.on('error', fail);
    req.end(body);
  });
}
