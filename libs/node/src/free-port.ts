import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where `freePort` looks: [from, to), and the ports it must skip. */
export type PortRange = { from: number; to: number };

/** Ports this process handed out already: two picks before either is bound must differ. */
const handedOut = new Set<number>();

/**
 * A port on 127.0.0.1 that a server can listen on a moment later.
 *
 * It comes from below the kernel's ephemeral range, not from `listen(0)`. A port from the
 * ephemeral range is free only until any outgoing connection (to the database, from a
 * worker to its master) takes it as its source port, and a master once failed to start
 * with EADDRINUSE that way, between the pick and its listen. Below the range only another
 * listener can take it, and the bind check here sees any that already has.
 */
export async function freePort(range: PortRange = belowEphemeralRange()): Promise<number> {
  const size = range.to - range.from;
  for (let attempt = 0; attempt < 100 && size > 0; attempt++) {
    const port = range.from + Math.floor(Math.random() * size);
    if (handedOut.has(port)) continue;
    handedOut.add(port); // before the check's await: a concurrent pick must not take it too
    if (await canListen(port)) return port;
    handedOut.delete(port);
  }
  throw new Error(`no free port in ${range.from}-${range.to - 1} on 127.0.0.1`);
}

/** The 16k ports just below the ephemeral range (32768-60999 on Linux by default). */
export function belowEphemeralRange(): PortRange {
  const low = ephemeralLow();
  return { from: Math.max(1024, low - 16_384), to: low };
}

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    // A range reaching down near the privileged ports leaves too little below it; then
    // the default's place is the best guess left (the bind check still guards the pick).
    if (Number.isInteger(low) && low >= 1024 + 4096) return low;
  } catch {
    // Not Linux: the IANA ephemeral range starts at 49152.
  }
  return 49_152;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}
