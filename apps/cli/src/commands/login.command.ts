import { Command } from 'commander';
import { CrawlnestApi } from '../api/crawlnest-api';
import { HttpClient } from '../api/http-client';
import { DEFAULT_URL, saveProfile } from '../config/profile';
import { note } from '../output/print';

export function loginCommand(): Command {
  return new Command('login')
    .description('check a master address and API token, then save them to the profile (mode 0600)')
    .option('--url <url>', 'master REST address', DEFAULT_URL)
    .requiredOption('--token <token>', 'API token (the master prints it; .data/api-token in dev mode)')
    .option('--no-verify', 'save without asking the master first')
    .action(async (o: { url: string; token: string; verify: boolean }) => {
      const url = o.url.replace(/\/+$/, '');
      if (o.verify) await new CrawlnestApi(new HttpClient({ url, token: o.token, source: '--token' })).stats();
      const path = saveProfile({ url, token: o.token });
      note(`logged in to ${url}; profile saved to ${path}`);
    });
}
