import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { freePort, waitFor } from './wait';
import { connect } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

/** Runs git in `cwd` with a fixed identity; returns its trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Ada Tester', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada Tester', GIT_COMMITTER_EMAIL: 'ada@example.com' },
  }).trim();
}

/** `git daemon` serving every repository under `baseDir` read-only on 127.0.0.1. */
/** Writes `files` into the work tree `work`, commits them and pushes to origin's main; the new commit's hash. */
export function commitAndPush(work: string, files: Record<string, string>, message: string): string {
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(work, p, '..'), { recursive: true });
    writeFileSync(join(work, p), content);
  }
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', message);
  git(work, 'push', '-q', 'origin', 'HEAD:main');
  return git(work, 'rev-parse', 'HEAD');
}

export async function gitDaemon(baseDir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn('git', ['daemon', '--export-all', `--base-path=${baseDir}`, '--listen=127.0.0.1', `--port=${port}`, '--reuseaddr', baseDir], { stdio: 'ignore' });
  await waitFor('git daemon listens', () => new Promise<boolean | undefined>((resolve) => {
    const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(undefined));
  }), 10_000, 100);
  return {
    port,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/**
 * Smart HTTP through `git http-backend` (CGI), behind basic auth whose password must be
 * `token`: the https-with-a-token case without TLS.
 */
export async function gitHttpServer(baseDir: string, token: string): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const password = m ? Buffer.from(m[1], 'base64').toString().split(':').slice(1).join(':') : null;
    if (password !== token) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' });
      return res.end('unauthorized');
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...process.env,
        GIT_PROJECT_ROOT: baseDir,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: (req.headers['content-encoding'] as string | undefined) ?? '',
        HTTP_GIT_PROTOCOL: (req.headers['git-protocol'] as string | undefined) ?? '',
        REMOTE_USER: 'tester',
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin!);
    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout!.on('data', (chunk: Buffer) => {
      if (headersDone) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const i = line.indexOf(':');
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
        else res.setHeader(k, v);
      }
      res.statusCode = status;
      res.write(head.subarray(end + 4));
    });
    cgi.stdout!.on('end', () => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, server };
}

/** An ssh key pair made by ssh-keygen (ed25519, no passphrase): `file` and `file.pub`. */
export function sshKeyPair(file: string): { privateKey: string; publicKey: string; fingerprint: string } {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'crawlnest-e2e', '-f', file]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1];
  return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8').trim(), fingerprint };
}

/**
 * A real sshd on 127.0.0.1 with its own config and host key (`<dir>/host_key`); the one
 * authorized key may only run git-shell (fetches of repositories by absolute path).
 */
export async function sshGitServer(dir: string, authorizedKey: string, port?: number): Promise<{ port: number; user: string; hostKeyFingerprint: string; stop: () => Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  // sshd refuses to start without its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'host_key');
  if (!existsSync(hostKey)) sshKeyPair(hostKey);
  const hostKeyFingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1];
  const user = userInfo().username;
  writeFileSync(join(dir, 'authorized_keys'), `command="git-shell -c \\"$SSH_ORIGINAL_COMMAND\\"",no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty ${authorizedKey}\n`, { mode: 0o600 });
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AllowUsers ${user}`,
      '',
    ].join('\n'),
  );
  const listenPort = port ?? (await freePort());
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config, '-p', String(listenPort)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  await waitFor(`sshd listens (${stderr})`, () => new Promise<boolean | undefined>((resolve) => {
    if (child.exitCode !== null) throw new Error(`sshd exited ${child.exitCode}: ${stderr}`);
    const s = connect(listenPort, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(undefined));
  }), 10_000, 100);
  return {
    port: listenPort,
    user,
    hostKeyFingerprint,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

export const SSHD = '/usr/sbin/sshd';
