import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolveSpider } from '../api/resolve';
import { connect } from '../context';
import { CliError } from '../errors';
import { note, printFields, printJson } from '../output/print';

type GitSource = { url: string; ref: string; path: string; hasCredential: boolean; autoPullSec: number; lastCommit: string | null; lastError: string | null; hostKeyFingerprint?: string | null };
type PullResult = { changed: boolean; version: number; commit: string };

/** `crawlnest git set|pull|show` (docs/git.md). Calls go through the API's generic JSON client. */
export function gitCommand(): Command {
  const cmd = new Command('git').description("a spider's git source: set it, pull it");
  cmd
    .command('set <spider> <url>')
    .description('set the git source of a spider (https://, git://, file://, ssh:// or user@host:path)')
    .option('--ref <ref>', 'branch, tag or commit', 'main')
    .option('--path <dir>', "the spider's subdirectory of the repository", '')
    .option('--username <name>', 'HTTP username for the token')
    .option('--token-env <VAR>', 'read the HTTP token from this environment variable (kept off the command line)')
    .option('--ssh-key-file <file>', 'ssh URLs: the deploy key (a private key without a passphrase); sent once, stored encrypted')
    .option('--auto-pull <seconds>', 'pull every N seconds (0 = off, else at least 10)')
    .option('--json', 'print the API object')
    .action(async (ref: string, url: string, o: { ref: string; path: string; username?: string; tokenEnv?: string; sshKeyFile?: string; autoPull?: string; json?: boolean }) => {
      const api = connect();
      const spider = await resolveSpider(api, ref);
      let token: string | undefined;
      if (o.tokenEnv) {
        token = process.env[o.tokenEnv];
        if (!token) throw new CliError(`--token-env ${o.tokenEnv}: that environment variable is empty or unset`);
      }
      const autoPullSec = o.autoPull === undefined ? undefined : Number(o.autoPull);
      if (autoPullSec !== undefined && !Number.isInteger(autoPullSec)) throw new CliError(`--auto-pull: '${o.autoPull}' is not a whole number of seconds`);
      let sshKey: string | undefined;
      if (o.sshKeyFile) {
        try {
          sshKey = readFileSync(o.sshKeyFile, 'utf8');
        } catch (err) {
          throw new CliError(`--ssh-key-file ${o.sshKeyFile}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      const body = { url, ref: o.ref, path: o.path, username: o.username, token, sshKey, autoPullSec };
      const s = await api.http.json<GitSource>('PUT', `/api/spiders/${spider.id}/git`, { body });
      if (o.json) printJson(s);
      else note(`${spider.name}: ${s.url} ${s.ref}${s.path ? ` (${s.path})` : ''}${s.hasCredential ? ', with a credential' : ''}${s.autoPullSec ? `, auto-pull every ${s.autoPullSec} s` : ''}`);
    });
  cmd
    .command('pull <spider>')
    .description('fetch the source; a new version only when the tree changed')
    .option('--json', 'print the API object')
    .action(async (ref: string, o: { json?: boolean }) => {
      const api = connect();
      const spider = await resolveSpider(api, ref);
      const r = await api.http.json<PullResult>('POST', `/api/spiders/${spider.id}/git/pull`);
      if (o.json) printJson(r);
      else note(r.changed ? `${spider.name}: version ${r.version} from ${r.commit.slice(0, 12)}` : `${spider.name}: unchanged at ${r.commit.slice(0, 12)} (version ${r.version})`);
    });
  cmd
    .command('show <spider>')
    .description('the git source of a spider (never its credential)')
    .option('--json', 'print the API object')
    .action(async (ref: string, o: { json?: boolean }) => {
      const api = connect();
      const spider = await resolveSpider(api, ref);
      const s = await api.http.json<GitSource>('GET', `/api/spiders/${spider.id}/git`);
      if (o.json) printJson(s);
      else printFields(s);
    });
  return cmd;
}
