import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { PROJECT_ROOT } from './ferretdb-server';
import { waitFor } from './wait';

/** pid → [parent pid, command line] of every process, from /proc. */
function processTable(): Map<number, { ppid: number; cmd: string }> {
  const table = new Map<number, { ppid: number; cmd: string }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      table.set(Number(d), { ppid, cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() });
    } catch {
      // The process ended while we read the table: it is not a descendant any more.
      continue;
    }
  }
  return table;
}

export function descendants(root: number): { pid: number; cmd: string }[] {
  const table = processTable();
  const out: { pid: number; cmd: string }[] = [];
  const walk = (pid: number): void => {
    for (const [p, info] of table) if (info.ppid === pid) (out.push({ pid: p, cmd: info.cmd }), walk(p));
  };
  walk(root);
  return out;
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `npm run dev` as a user starts it, on its own ports and data dir. */
export class DevRun {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output = '';

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn('npm', ['run', 'dev'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((res) => this.child.once('exit', (code) => res(code)));
  }

  async ready(): Promise<{ pid: number; cmd: string }[]> {
    try {
      // Both: the worker dials while the master boots, so it can be online before the master
      // has printed its banner (which comes after the ports open).
      await waitFor('dev mode: master banner printed and worker online', () => {
        if (this.child.exitCode !== null) throw new Error(`npm run dev exited:\n${this.output}`);
        return (/"msg":"node online"/.test(this.output) && /Crawlnest master ready\n[\s\S]*?\n\n/.test(this.output)) || undefined;
      }, 180_000, 100);
    } catch (err) {
      // What dev mode printed says where it stuck (a rebuild, the master, the worker's link).
      throw new Error(`${String(err)}\n--- npm run dev output (last 4000 chars) ---\n${this.output.slice(-4000)}`);
    }
    return descendants(this.child.pid as number);
  }

  /** Kills exactly what this run started (a failed test must not leave its tree behind). */
  killTree(): void {
    if (this.child.pid) for (const p of descendants(this.child.pid)) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
    this.child.kill('SIGKILL');
  }
}

export type ListeningSocket = { pid: number; address: string; port: number };

/** "0100007F:1F90" (/proc/net/tcp) or the 32-hex-digit tcp6 form → "127.0.0.1" / "::1" / "::". */
export function decodeProcAddress(hex: string): { address: string; port: number } {
  const [addr, port] = hex.split(':');
  const bytes = (h: string): number[] => (h.match(/../g) ?? []).map((b) => parseInt(b, 16));
  if (addr.length === 8) return { address: bytes(addr).reverse().join('.'), port: parseInt(port, 16) };
  // tcp6: four 32-bit words, each in host (little-endian) byte order.
  const words = (addr.match(/.{8}/g) ?? []).flatMap((w) => bytes(w).reverse());
  if (words.slice(0, 10).every((b) => b === 0) && words[10] === 0xff && words[11] === 0xff) {
    return { address: `::ffff:${words.slice(12).join('.')}`, port: parseInt(port, 16) };
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((words[i] << 8) | words[i + 1]).toString(16));
  const joined = groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  return { address: joined, port: parseInt(port, 16) };
}

/** Every TCP socket in LISTEN state held by one of `pids`, from /proc/net/tcp{,6} and /proc/<pid>/fd. */
export function listeningSockets(pids: number[]): ListeningSocket[] {
  const owner = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // ended meanwhile
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) owner.set(m[1], pid);
      } catch {
        continue; // closed meanwhile
      }
    }
  }
  const out: ListeningSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A = LISTEN
      const pid = owner.get(cols[9]);
      if (pid !== undefined) out.push({ pid, ...decodeProcAddress(cols[1]) });
    }
  }
  return out;
}
