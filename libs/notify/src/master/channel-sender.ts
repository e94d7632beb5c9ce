import { Agent as HttpAgent, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type { ChannelConfig, ChannelSecrets, ChannelType } from '../notify.types';
import { chatBody, emailBody, Message, webhookBody } from '../message-format';
import { isRetryableStatus, retryAfterMs } from '../retry-plan';
import { signBody } from '../signature';

/** One attempt's outcome, recorded on the delivery. */
export type SendOutcome = { ok: boolean; retryable: boolean; responseCode: number | null; error: string | null; retryAfterMs: number | null; latencyMs: number };

export type SendTarget = { type: ChannelType; config: ChannelConfig; secrets: ChannelSecrets; eventType: string };

/** Sends one message over one channel, bounded by a timeout; never throws. */
@Injectable()
export class ChannelSender implements OnApplicationShutdown {
  // node:http with kept-alive connections rather than fetch: ten rules make ten POSTs per event,
  // and undici's fetch costs the master several times the CPU of a plain request.
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

  /** After the notifier's onModuleDestroy, which waits for the sends in flight. */
  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  async send(target: SendTarget, m: Message, timeoutMs: number): Promise<SendOutcome> {
    const t0 = Date.now();
    const took = () => Date.now() - t0;
    try {
      if (target.type === 'email') return { ...(await this.email(target, m, timeoutMs)), latencyMs: took() };
      const body = JSON.stringify(target.type === 'webhook' ? webhookBody(m) : chatBody(target.config.format ?? 'slack', m));
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Crawlnest-Notifications/1' };
      if (target.type === 'webhook') {
        headers['x-crawlnest-event'] = target.eventType;
        headers['x-crawlnest-delivery'] = m.deliveryId;
        if (target.secrets.secret) headers['x-crawlnest-signature'] = signBody(target.secrets.secret, body);
      }
      const res = await this.post(target.config.url as string, headers, body, timeoutMs);
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
      const e = err as Error & { responseCode?: number };
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
      return { ok: false, retryable: true, responseCode: e.responseCode ?? null, error: timedOut ? `timed out after ${timeoutMs} ms` : describe(e), retryAfterMs: null, latencyMs: took() };
    }
  }

  /**
   * One POST; redirects are not followed (a 3xx is the outcome). The response body is read and
   * dropped so the connection is kept for the next send; the timeout covers the whole exchange,
   * a receiver that hangs in its body included.
   */
  private post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number; headers: IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        reject(new Error(`unsupported URL scheme ${u.protocol}`));
        return;
      }
      const https = u.protocol === 'https:';
      const req = (https ? httpsRequest : httpRequest)(u, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: https ? this.httpsAgent : this.httpAgent }, (res) => {
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

  private async email(target: SendTarget, m: Message, timeoutMs: number): Promise<Omit<SendOutcome, 'latencyMs'>> {
    const c = target.config;
    const transport = createTransport({
      host: c.host,
      port: c.port ?? (c.security === 'tls' ? 465 : 587),
      secure: c.security === 'tls',
      requireTLS: c.security === 'starttls',
      ignoreTLS: c.security === 'none',
      auth: c.username ? { user: c.username, pass: target.secrets.password ?? '' } : undefined,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    try {
      const body = emailBody(m);
      const info = await transport.sendMail({
        from: c.from,
        to: c.to,
        subject: body.subject,
        text: body.text,
        html: body.html,
        headers: { 'X-Crawlnest-Delivery': m.deliveryId, 'X-Crawlnest-Event': target.eventType },
      });
      const code = Number(/^(\d{3})/.exec(String(info.response))?.[1] ?? 250);
      return { ok: true, retryable: false, responseCode: code, error: null, retryAfterMs: null };
    } catch (err) {
      const e = err as Error & { responseCode?: number };
      // 5xx SMTP replies are permanent (bad address, auth refused); 4xx and connection errors are worth a retry.
      const permanent = e.responseCode !== undefined && e.responseCode >= 500;
      return { ok: false, retryable: !permanent, responseCode: e.responseCode ?? null, error: describe(e), retryAfterMs: null };
    } finally {
      transport.close();
    }
  }
}

function describe(e: Error & { cause?: unknown; code?: string }): string {
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${e.message}${cause}`.slice(0, 500);
}
