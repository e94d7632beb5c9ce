import { CredentialCipher } from './credential-cipher';

describe('CredentialCipher', () => {
  it('round-trips, never stores the plain text, and refuses another key', () => {
    const a = new CredentialCipher(undefined, 'cluster-secret-0123456789');
    const sealed = a.seal('ghp_secret-token');
    expect(JSON.stringify(sealed)).not.toContain('ghp_secret');
    expect(a.open(sealed)).toBe('ghp_secret-token');
    expect(a.seal('x').iv).not.toBe(a.seal('x').iv);
    expect(() => new CredentialCipher('another-key-0123456789', 'cluster-secret-0123456789').open(sealed)).toThrow();
  });
});
