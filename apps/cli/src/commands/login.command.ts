import { hostname } from 'node:os';
import { Command } from 'commander';
import { CrawlnestApi } from '../api/crawlnest-api';
import { HttpClient } from '../api/http-client';
import { DEFAULT_URL, saveProfile } from '../config/profile';
import { note } from '../output/print';
import { ask } from '../output/prompt';

type LoginOptions = { url: string; token?: string; username?: string; verify: boolean; tokenDays?: string };

export function loginCommand(): Command {
  return new Command('login')
    .description('sign in (username and password: a personal token is made and saved) or save a given token; the profile is mode 0600')
    .option('--url <url>', 'master REST address', DEFAULT_URL)
    .option('--token <token>', 'a token to save as is (a personal token, or the root API token the master prints)')
    .option('--username <name>', 'sign in as this user (asked when missing); the password is asked, or read from stdin when piped')
    .option('--token-days <n>', 'days the personal token made at sign-in lasts (default: until revoked)')
    .option('--no-verify', 'with --token: save without asking the master first')
    .action(async (o: LoginOptions) => {
      const url = o.url.replace(/\/+$/, '');
      if (o.token) {
        if (o.verify) await new CrawlnestApi(new HttpClient({ url, token: o.token, source: '--token' })).stats();
        const path = saveProfile({ url, token: o.token });
        note(`logged in to ${url}; profile saved to ${path}`);
        return;
      }
      const username = o.username ?? (await ask('Username: '));
      const password = await ask('Password: ', true);
      const anonymous = new CrawlnestApi(new HttpClient({ url, token: null, source: 'sign-in' }));
      const session = await anonymous.login(username, password);
      const signedIn = new CrawlnestApi(new HttpClient({ url, token: session.token, source: 'sign-in' }));
      // The profile keeps a personal token (revocable on its own: `crawlnest tokens revoke`), not the session.
      const pat = await signedIn.createToken({ name: `cli@${hostname()}`, expiresInDays: o.tokenDays ? Number(o.tokenDays) : undefined });
      await signedIn.logout();
      const path = saveProfile({ url, token: pat.token });
      note(`logged in to ${url} as ${session.user.username}; personal token ${pat.id} saved to ${path}`);
    });
}
