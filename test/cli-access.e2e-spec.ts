import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, CliResult, cliEnv } from './support/cli-process';
import { Master, TestCluster } from './support/cluster';

/** `crawlnest` with a line on stdin (the password, as a script pipes it). */
function runWithInput(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<CliResult> {
  const p = new CliProcess(args, env);
  p.child.stdin?.end(input);
  return p.done;
}

/** Team access from the CLI: the first admin with the root token, password sign-in, projects, tokens. */
describe('crawlnest CLI: users, projects, tokens, password login', () => {
  const cluster = new TestCluster('cli-access');
  let master: Master;
  let url: string;
  const homes: string[] = [];
  const home = () => {
    const h = mkdtempSync(join(tmpdir(), 'cn-cli-access-'));
    homes.push(h);
    return h;
  };

  beforeAll(async () => {
    master = await cluster.startMaster();
    url = `http://127.0.0.1:${master.httpPort}`;
  });

  afterAll(async () => {
    await cluster.stop();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  it('makes the first admin with the root token, signs in with a password, and manages a project', async () => {
    const rootEnv = cliEnv(home(), { CRAWLNEST_URL: url, CRAWLNEST_TOKEN: cluster.apiToken });
    const admin = await runWithInput(['users', 'create', 'alice', '--admin'], rootEnv, 'alice-long-password\n');
    expect([admin.code, admin.stderr]).toEqual([0, expect.stringMatching(/created admin alice \([0-9a-f]{24}\)/)]);
    const short = await runWithInput(['users', 'create', 'tiny'], rootEnv, 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/400 .*password/);

    const aliceHome = home();
    const aliceEnv = cliEnv(aliceHome);
    const wrong = await runWithInput(['login', '--url', url, '--username', 'alice'], aliceEnv, 'not-her-password\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/401 .*wrong username or password/);
    const login = await runWithInput(['login', '--url', url, '--username', 'alice'], aliceEnv, 'alice-long-password\n');
    expect([login.code, login.stderr]).toEqual([0, expect.stringMatching(/logged in to .* as alice; personal token [0-9a-f]{24} saved/)]);
    const profilePath = join(aliceHome, '.config/crawlnest/config.json');
    expect(statSync(profilePath).mode & 0o777).toBe(0o600);
    const profile = readFileSync(profilePath, 'utf8');
    expect(profile).toMatch(/"token": "cnp_[0-9a-f]{24}_/);
    expect(profile).not.toContain('alice-long-password');

    expect((await runCli(['projects', 'create', 'team-a'], aliceEnv)).code).toBe(0);
    expect((await runWithInput(['users', 'create', 'bob'], aliceEnv, 'bob-long-password\n')).code).toBe(0);
    const member = await runCli(['projects', 'add-member', 'team-a', 'bob', '--role', 'viewer'], aliceEnv);
    expect([member.code, member.stderr.trim()]).toEqual([0, 'bob is viewer in team-a']);
    const created = await runCli(['spiders', 'create', 'in-team-a', '--cmd', 'true', '--project', 'team-a', '--json'], aliceEnv);
    const projects = JSON.parse((await runCli(['projects', 'ls', '--json'], aliceEnv)).stdout) as { id: string; name: string }[];
    expect(JSON.parse(created.stdout).projectId).toBe(projects.find((p) => p.name === 'team-a')!.id);

    // Bob, a viewer of team-a, sees its spider and nothing else; he cannot create users.
    const bobEnv = cliEnv(home());
    expect((await runWithInput(['login', '--url', url, '--username', 'bob'], bobEnv, 'bob-long-password\n')).code).toBe(0);
    const seen = JSON.parse((await runCli(['spiders', 'ls', '--json'], bobEnv)).stdout) as { name: string }[];
    expect(seen.map((s) => s.name)).toEqual(['in-team-a']);
    const refused = await runWithInput(['users', 'create', 'eve'], bobEnv, 'eve-long-password\n');
    expect(refused.stderr).toMatch(/403 .*admin/);

    // His token, listed and revoked: the next command is refused.
    const tokens = JSON.parse((await runCli(['tokens', 'ls', '--json'], bobEnv)).stdout) as { id: string; name: string }[];
    expect(tokens).toHaveLength(1);
    expect(tokens[0].name).toMatch(/^cli@/);
    expect((await runCli(['tokens', 'revoke', tokens[0].id], bobEnv)).code).toBe(0);
    const after = await runCli(['spiders', 'ls'], bobEnv);
    expect([after.code, after.stderr]).toEqual([1, expect.stringMatching(/401/)]);
  });
});

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return runWithInput(args, env, '');
}
