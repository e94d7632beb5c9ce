import { fingerprintOf, isSshUrl, sshCommand, sshHostOf } from './ssh-host-keys';

describe('ssh host keys', () => {
  it.each([
    ['ssh://git@127.0.0.1:2222/srv/shop.git', true],
    ['git@github.com:acme/shop.git', true],
    ['https://github.com/acme/shop.git', false],
    ['git://127.0.0.1/shop.git', false],
    ['file:///srv/shop.git', false],
  ])('%s is an ssh URL: %s', (url, ssh) => expect(isSshUrl(url)).toBe(ssh));

  it('names the host of both URL forms', () => {
    expect(sshHostOf('ssh://git@127.0.0.1:2222/srv/shop.git')).toBe('127.0.0.1:2222');
    expect(sshHostOf('git@github.com:acme/shop.git')).toBe('github.com');
  });

  it("fingerprints like ssh-keygen -l (SHA-256 of the key blob, base64 without padding)", () => {
    // ssh-keygen -lf of this key printed: 256 SHA256:RFu7f4wSYvArHil19y6sBrGrHIjhXdXCudn6vYD+GrM x (ED25519)
    const blob = 'AAAAC3NzaC1lZDI1NTE5AAAAIOmuoSIr6H79RcUtATlJ9oFlcp5yMSMt56upfr8giXnn';
    expect(fingerprintOf(`# comment\n[127.0.0.1]:2222 ssh-ed25519 ${blob}\n`)).toBe('ssh-ed25519 SHA256:RFu7f4wSYvArHil19y6sBrGrHIjhXdXCudn6vYD+GrM');
    expect(fingerprintOf('')).toBeNull();
    expect(fingerprintOf(null)).toBeNull();
  });

  it('pins strictly once a key is known, accepts the first key otherwise; paths are quoted', () => {
    expect(sshCommand("/data/k'ey", '/data/kh', true)).toContain("-i '/data/k'\\''ey'");
    expect(sshCommand(null, '/data/kh', true)).toContain('StrictHostKeyChecking=yes');
    expect(sshCommand(null, '/data/kh', false)).toContain('StrictHostKeyChecking=accept-new');
  });
});
