import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics.registry';

export const METRICS_PORT_OPTIONS = Symbol('METRICS_PORT_OPTIONS');
export type MetricsPortOptions = { host: string; port?: number };

/**
 * With CRAWLNEST_METRICS_PORT set, serves `GET /metrics` on a plain HTTP listener of its own,
 * without a token: for a scraper on a private network, the way API.md allows.
 */
@Injectable()
export class MetricsPortListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(MetricsPortListener.name);
  private server: Server | undefined;

  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(METRICS_PORT_OPTIONS) private readonly opts: MetricsPortOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.opts.port === undefined) return;
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.log.log({ msg: 'metrics listener ready', host: this.opts.host, port: this.opts.port, auth: 'none' });
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    this.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': this.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        this.log.error({ msg: 'metrics scrape failed', err: String(err) });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  }
}
