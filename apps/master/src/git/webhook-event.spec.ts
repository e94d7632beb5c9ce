import { createHmac } from 'node:crypto';
import { providerOf, pushEvent, refMatches, signatureValid } from './webhook-event';

const body = Buffer.from('{"ref":"refs/heads/main"}');
const hex = createHmac('sha256', 's3cret').update(body).digest('hex');

describe('git webhooks', () => {
  it.each([
    [{ 'x-github-event': 'push' }, 'github'],
    [{ 'x-gitea-event': 'push', 'x-github-event': 'push' }, 'gitea'],
    [{ 'x-gitlab-event': 'Push Hook' }, 'gitlab'],
    [{}, null],
  ])('provider of %j is %s', (h, p) => expect(providerOf(h)).toBe(p));

  it.each([
    ['github', { 'x-hub-signature-256': `sha256=${hex}` }, true],
    ['github', { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, false],
    ['github', {}, false],
    ['gitea', { 'x-gitea-signature': hex }, true],
    ['gitea', { 'x-gitea-signature': hex.replace(/.$/, '0') }, hex.endsWith('0')],
    ['gitlab', { 'x-gitlab-token': 's3cret' }, true],
    ['gitlab', { 'x-gitlab-token': 'wrong' }, false],
  ] as const)('%s signature %j valid: %s', (p, h, ok) => expect(signatureValid(p, h, body, 's3cret')).toBe(ok));

  it('reads push events of each provider', () => {
    expect(pushEvent('github', { 'x-github-event': 'push' }, { ref: 'refs/heads/main', repository: { clone_url: 'https://github.com/o/r.git', ssh_url: 'git@github.com:o/r.git' } })).toEqual({
      provider: 'github',
      ref: 'refs/heads/main',
      repoUrls: ['https://github.com/o/r.git', 'git@github.com:o/r.git'],
    });
    expect(pushEvent('gitlab', { 'x-gitlab-event': 'Push Hook' }, { ref: 'refs/heads/dev', project: { git_http_url: 'https://gitlab.com/o/r.git' } })?.repoUrls).toEqual(['https://gitlab.com/o/r.git']);
    expect(pushEvent('github', { 'x-github-event': 'ping' }, { zen: 'x' })).toBeNull();
  });

  it('matches branches and tags', () => {
    expect(refMatches('main', 'refs/heads/main')).toBe(true);
    expect(refMatches('v1', 'refs/tags/v1')).toBe(true);
    expect(refMatches('main', 'refs/heads/main2')).toBe(false);
  });
});
