import { Command } from 'commander';
import { connect } from '../context';
import { note, printJson, printTable } from '../output/print';

export function tokensCommand(): Command {
  const cmd = new Command('tokens').description('your personal access tokens: list, create, revoke');
  cmd
    .command('ls')
    .description('list your tokens (never their secrets)')
    .option('--json', 'print the API objects')
    .action(async (o: { json?: boolean }) => {
      const tokens = await connect().listTokens();
      if (o.json) printJson(tokens);
      else printTable(['id', 'name', 'created', 'expires', 'last used'], tokens.map((t) => [t.id, t.name, t.createdAt, t.expiresAt ?? 'never', t.lastUsedAt ?? '']));
    });
  cmd
    .command('create <name>')
    .description('create a token; it is printed once (only its hash is stored)')
    .option('--days <n>', 'days until it stops working (default: until revoked)')
    .option('--json', 'print the API object')
    .action(async (name: string, o: { days?: string; json?: boolean }) => {
      const t = await connect().createToken({ name, expiresInDays: o.days ? Number(o.days) : undefined });
      if (o.json) printJson(t);
      else process.stdout.write(`${t.token}\n`);
    });
  cmd
    .command('revoke <id>')
    .description('revoke a token at once')
    .action(async (id: string) => {
      await connect().revokeToken(id);
      note(`token ${id} revoked`);
    });
  return cmd;
}
