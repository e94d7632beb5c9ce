import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Received = {
  path: string;
  at: number;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: any;
  /** The signature header matched the path's secret (undefined: no secret registered for the path). */
  signatureOk: boolean | undefined;
};

/** What the receiver answers on a path: a status (with headers), or hang (never answers). */
export type Reply = { status: number; headers?: Record<string, string> } | 'hang';

/**
 * An HTTP receiver on 127.0.0.1 standing in for webhook endpoints. Each path can have a
 * signing secret (every request's X-Crawlnest-Signature is checked the way a receiver would,
 * from the raw body) and a script of replies (then 200 for ever).
 */
export class HookReceiver {
  readonly received: Received[] = [];
  private readonly secrets = new Map<string, string>();
  private readonly scripts = new Map<string, Reply[]>();
  private readonly hanging = new Set<ServerResponse>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<HookReceiver> {
    const server = createServer();
    const r = new HookReceiver(server);
    server.on('request', (req, res) => r.handle(req, res));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return r;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  secret(path: string, secret: string): void {
    this.secrets.set(path, secret);
  }

  script(path: string, replies: Reply[]): void {
    this.scripts.set(path, [...replies]);
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const secret = this.secrets.get(path);
      let signatureOk: boolean | undefined;
      if (secret !== undefined) {
        const want = Buffer.from('sha256=' + createHmac('sha256', secret).update(raw).digest('hex'));
        const got = Buffer.from(String(req.headers['x-crawlnest-signature'] ?? ''));
        signatureOk = want.length === got.length && timingSafeEqual(want, got);
      }
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // not JSON: kept as text
      }
      this.received.push({ path, at: Date.now(), headers: req.headers, raw, body, signatureOk });
      const reply = this.scripts.get(path)?.shift() ?? { status: 200 };
      if (reply === 'hang') {
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      res.writeHead(reply.status, reply.headers ?? {});
      res.end('ok');
    });
  }
}

export type Mail = { from: string; to: string[]; raw: string; user: string | undefined };

/** An SMTP server (npm smtp-server) on 127.0.0.1 with a user and password, keeping every mail. */
export class MailReceiver {
  readonly mails: Mail[] = [];
  private constructor(private readonly server: SMTPServer, readonly port: number) {}

  static async start(user: string, pass: string): Promise<MailReceiver> {
    const mails: Mail[] = [];
    const server = new SMTPServer({
      secure: false,
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === user && auth.password === pass) cb(null, { user });
        else cb(new Error('Invalid username or password'));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: String(session.envelope.mailFrom && session.envelope.mailFrom.address),
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            user: session.user as string | undefined,
          });
          cb();
        });
      },
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = ((server as unknown as { server: Server }).server.address() as AddressInfo).port;
    const r = new MailReceiver(server, port);
    (r as { mails: Mail[] }).mails = mails;
    return r;
  }

  close(): Promise<void> {
    return new Promise((ok) => this.server.close(() => ok()));
  }
}
