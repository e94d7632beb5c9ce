import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { emailBody, Message } from '../message-format';
import { describeError, failedSend, SendOutcome, SendTarget } from './http-send';
import { SendThread } from './send-thread';

export type { SendOutcome, SendTarget } from './http-send';

/** Sends one message over one channel, bounded by a timeout; never throws. */
@Injectable()
export class ChannelSender implements OnApplicationShutdown {
  // Webhook and chat POSTs go through a sender thread of lower CPU priority (send-thread.ts):
  // ten rules make ten signed POSTs per event, and on a busy master that work should take the
  // CPU task dispatch leaves idle. Mail is rare and stays here (nodemailer).
  private readonly thread = new SendThread();

  /** After the notifier's onModuleDestroy, which waits for the sends in flight. */
  async onApplicationShutdown(): Promise<void> {
    await this.thread.close();
  }

  async send(target: SendTarget, m: Message, timeoutMs: number): Promise<SendOutcome> {
    if (target.type !== 'email') return this.thread.send(target, m, timeoutMs);
    const t0 = Date.now();
    try {
      return { ...(await this.email(target, m, timeoutMs)), latencyMs: Date.now() - t0 };
    } catch (err) {
      return failedSend(err as Error, timeoutMs, Date.now() - t0);
    }
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
      return { ok: false, retryable: !permanent, responseCode: e.responseCode ?? null, error: describeError(e), retryAfterMs: null };
    } finally {
      transport.close();
    }
  }
}
