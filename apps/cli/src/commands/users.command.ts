import { Command } from 'commander';
import { resolveUser } from '../api/resolve';
import type { User } from '../api/types';
import { connect } from '../context';
import { note, printJson, printTable } from '../output/print';
import { ask } from '../output/prompt';

function userRows(users: User[]): void {
  printTable(
    ['id', 'username', 'role', 'disabled', 'projects'],
    users.map((u) => [u.id, u.username, u.role, u.disabled ? 'yes' : 'no', u.projects.map((p) => `${p.projectId}:${p.role}`).join(',')]),
  );
}

/** A new password: asked twice on a terminal, one line from stdin when piped. */
async function newPassword(): Promise<string> {
  const first = await ask('New password: ', true);
  if (process.stdin.isTTY && (await ask('Again: ', true)) !== first) throw new Error('the passwords differ');
  return first;
}

export function usersCommand(): Command {
  const cmd = new Command('users').description('list, create, disable users and set passwords (admins)');
  cmd
    .command('ls')
    .description('list users')
    .option('--json', 'print the API objects')
    .action(async (o: { json?: boolean }) => {
      const users = await connect().listUsers();
      if (o.json) printJson(users);
      else userRows(users);
    });
  cmd
    .command('create <username>')
    .description('create a user; the password is asked (or read from stdin). With the root token this makes the first admin')
    .option('--admin', 'global role admin (default: member)')
    .option('--json', 'print the API object')
    .action(async (username: string, o: { admin?: boolean; json?: boolean }) => {
      const u = await connect().createUser({ username, password: await newPassword(), role: o.admin ? 'admin' : 'member' });
      if (o.json) printJson(u);
      else note(`created ${u.role} ${u.username} (${u.id})`);
    });
  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    cmd
      .command(`${name} <user>`)
      .description(disabled ? 'disable a user: their sessions and tokens stop at once' : 'enable a user again')
      .action(async (ref: string) => {
        const api = connect();
        const u = await api.updateUser((await resolveUser(api, ref)).id, { disabled });
        note(`user ${u.username} ${disabled ? 'disabled' : 'enabled'}`);
      });
  }
  cmd
    .command('passwd <user>')
    .description("set a user's password (ends their sessions)")
    .action(async (ref: string) => {
      const api = connect();
      const u = await api.updateUser((await resolveUser(api, ref)).id, { password: await newPassword() });
      note(`password of ${u.username} changed`);
    });
  cmd
    .command('role <user> <role>')
    .description('set the global role: admin or member')
    .action(async (ref: string, role: string) => {
      const api = connect();
      const u = await api.updateUser((await resolveUser(api, ref)).id, { role: role as 'admin' | 'member' });
      note(`user ${u.username} is now ${u.role}`);
    });
  return cmd;
}
