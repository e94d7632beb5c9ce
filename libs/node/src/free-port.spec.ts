import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { belowEphemeralRange, freePort } from './free-port';

function listenOn(port: number): Promise<Server> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(port, '127.0.0.1', () => res(srv));
  });
}

describe('freePort', () => {
  it('picks below the kernel ephemeral range, where outgoing connections take no ports', async () => {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const range = belowEphemeralRange();
    expect(range.to).toBe(low);
    expect(range.from).toBeGreaterThanOrEqual(1024);
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(range.from);
      expect(port).toBeLessThan(low);
    }
  });

  it('never hands out the same port twice, even before either is bound', async () => {
    const range = { from: 20_000, to: 20_008 };
    const ports = await Promise.all(Array.from({ length: 8 }, () => freePort(range)));
    expect(new Set(ports).size).toBe(8);
    await expect(freePort(range)).rejects.toThrow('no free port in 20000-20007');
  });

  it('skips a port another listener holds, and the picked port can be listened on', async () => {
    const held = await listenOn(0);
    const heldPort = (held.address() as { port: number }).port;
    try {
      const port = await freePort({ from: heldPort, to: heldPort + 2 }).catch(() => null);
      // heldPort + 1 may be taken by something else on this machine; never heldPort.
      expect(port).not.toBe(heldPort);
      if (port !== null) (await listenOn(port)).close();
    } finally {
      held.close();
    }
  });
});
