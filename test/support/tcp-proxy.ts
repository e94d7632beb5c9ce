import { AddressInfo, createServer, connect, Server, Socket } from 'node:net';

export type ProxyMode = 'forward' | 'blackhole' | 'reset';

type Pair = { client: Socket; upstream: Socket | undefined };

/**
 * A TCP proxy on 127.0.0.1 that a test puts between a worker and a master to break the link:
 * - `blackhole()`: sockets stay open but nothing is forwarded (reading stops on both sides, so
 *   bytes wait in the kernel, like packets during a partition); new connections are accepted
 *   and held the same way. Neither side sees an error: only keepalive or the master's
 *   heartbeat timeout can notice.
 * - `reset()`: every connection is reset (RST) and new ones are reset on accept.
 * - `restore()`: forwarding resumes; held bytes and connections go through.
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private modeValue: ProxyMode = 'forward';
  /** When each connection was accepted while forwarding (a worker's reconnect reaching the master). */
  readonly forwardedAcceptsAt: number[] = [];

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (c) => this.accept(c));
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, { host: targetHost, port: targetPort });
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(0, '127.0.0.1', () => res());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get mode(): ProxyMode {
    return this.modeValue;
  }

  get connections(): number {
    return this.pairs.size;
  }

  blackhole(): void {
    this.modeValue = 'blackhole';
    for (const p of this.pairs) {
      p.client.pause();
      p.upstream?.pause();
    }
  }

  reset(): void {
    this.modeValue = 'reset';
    for (const p of [...this.pairs]) this.drop(p);
  }

  restore(): void {
    this.modeValue = 'forward';
    for (const p of this.pairs) {
      if (!p.upstream) this.wire(p);
      p.client.resume();
      p.upstream?.resume();
    }
  }

  async close(): Promise<void> {
    for (const p of [...this.pairs]) this.drop(p);
    await new Promise<void>((res) => this.server.close(() => res()));
  }

  private accept(client: Socket): void {
    if (this.modeValue === 'reset') {
      client.on('error', () => undefined); // the reset we cause may echo back as an error
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: undefined };
    this.pairs.add(pair);
    client.on('error', () => this.drop(pair));
    client.on('close', () => this.drop(pair));
    if (this.modeValue === 'blackhole') client.pause();
    else {
      this.forwardedAcceptsAt.push(Date.now());
      this.wire(pair);
    }
  }

  private wire(pair: Pair): void {
    const { client } = pair;
    const upstream = connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => this.drop(pair));
    upstream.on('close', () => this.drop(pair));
    const flowing = () => this.modeValue === 'forward';
    forward(client, upstream, flowing);
    forward(upstream, client, flowing);
    if (this.modeValue === 'blackhole') {
      client.pause();
      upstream.pause();
    }
  }

  /** Both sides go down with a reset, so each peer sees its connection die at once. */
  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    for (const s of [pair.client, pair.upstream]) {
      if (!s || s.destroyed) continue;
      s.on('error', () => undefined);
      s.resetAndDestroy();
    }
  }
}

/** Copies bytes and the end of stream, with backpressure. */
function forward(from: Socket, to: Socket, flowing: () => boolean): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => {
    if (flowing()) from.resume();
  });
  from.on('end', () => to.end());
}
