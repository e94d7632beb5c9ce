import { hashPassword, passwordProblem, verifyPassword } from './password';
import { hashMatches, issueToken, parseToken } from './secret-token';

describe('passwords', () => {
  it('hashes with a fresh salt each time, verifies the right password only', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
    await expect(verifyPassword('correct horse battery', a)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', a)).resolves.toBe(false);
    await expect(verifyPassword('anything', 'md5$abc')).resolves.toBe(false);
  });

  it.each([
    ['short', 'password: at least 12 characters'],
    ['twelve-chars', null],
    ['x'.repeat(1025), 'password: at most 1024 characters'],
  ])('%s → %s', (pw, problem) => {
    expect(passwordProblem(pw)).toBe(problem);
  });
});

describe('tokens', () => {
  it('round-trips; only the hash of the secret is kept', () => {
    const t = issueToken('p');
    const parsed = parseToken(t.token);
    expect(parsed).toMatchObject({ kind: 'p', id: t.id });
    expect(t.token).not.toContain(t.hash);
    expect(hashMatches(parsed!.secret, t.hash)).toBe(true);
    expect(hashMatches(parsed!.secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), t.hash)).toBe(false);
  });

  it.each(['', 'Bearer x', 'cnx_0123456789abcdef01234567_' + 'A'.repeat(43), 'cnp_0123_' + 'A'.repeat(43), 'cnp_0123456789abcdef01234567_short'])('refuses %j', (bad) => {
    expect(parseToken(bad)).toBeNull();
  });
});
