import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomPassword, UsersService } from '../access';

export type DevAdmin = { created: boolean; password?: string };

/**
 * `npm run dev` on a fresh database: creates `admin` with a random password, keeps it in
 * `<data dir>/admin-password` (0600) and hands it to the banner, which shows it this once.
 * Any existing user: nothing is created (there is never a default password).
 */
export async function ensureDevAdmin(users: UsersService, dataDir: string): Promise<DevAdmin> {
  if ((await users.list()).length > 0) return { created: false };
  const password = randomPassword();
  await writeFile(join(dataDir, 'admin-password'), password + '\n', { mode: 0o600 });
  await users.create('admin', password, 'admin');
  return { created: true, password };
}

export function devAdminBanner(a: DevAdmin, dataDir: string): string {
  const file = join(dataDir, 'admin-password');
  return a.created
    ? `  Sign in:   admin / ${a.password}  (shown once; kept in ${file}, mode 0600)\n`
    : `  Sign in:   as an existing user (the first admin's password is in ${file} if npm run dev made it)\n`;
}
