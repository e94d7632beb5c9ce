import { checkRef, checkSubPath, GitInputError, parseSourceUrl, redactSecrets, redactUrl, repoKey } from './git-url';

describe('git source URLs', () => {
  it.each([
    ['https://user:tok%40en@git.example.com/o/r.git', { url: 'https://git.example.com/o/r.git', username: 'user', password: 'tok@en' }],
    ['https://git.example.com/o/r', { url: 'https://git.example.com/o/r', username: null, password: null }],
    ['git://127.0.0.1:9418/repo.git', { url: 'git://127.0.0.1:9418/repo.git', username: null, password: null }],
    ['file:///srv/git/repo.git', { url: 'file:///srv/git/repo.git', username: null, password: null }],
    ['git@github.com:o/r.git', { url: 'git@github.com:o/r.git', username: null, password: null }],
  ])('parses %s', (raw, parsed) => expect(parseSourceUrl(raw)).toEqual(parsed));

  it('refuses other schemes and non-URLs without echoing a password', () => {
    expect(() => parseSourceUrl('ftp://h/r')).toThrow(GitInputError);
    expect(() => parseSourceUrl('https://u:secret@')).toThrow(/\*\*\*/);
    expect(redactUrl('https://u:secret@h/x')).toBe('https://u:***@h/x');
  });

  it.each([
    ['https://GitHub.com/Owner/Repo.git', 'github.com/owner/repo'],
    ['git@github.com:owner/repo.git', 'github.com/owner/repo'],
    ['https://x:y@github.com/owner/repo/', 'github.com/owner/repo'],
    ['git://127.0.0.1:9418/r.git', '127.0.0.1:9418/r'],
  ])('repoKey(%s) = %s', (url, key) => expect(repoKey(url)).toBe(key));

  it('redacts secrets', () => expect(redactSecrets('fatal: token abc123 refused abc123', ['abc123', null])).toBe('fatal: token *** refused ***'));

  it.each(['main', 'release/1.2', 'v1.0.0', 'a1b2c3d4'])('accepts ref %s', (r) => expect(checkRef(r)).toBe(r));
  it.each(['-x', '--upload-pack=evil', 'a..b', 'x.lock', ''])('refuses ref %j', (r) => expect(() => checkRef(r)).toThrow(GitInputError));
  it.each([['', ''], ['/spiders/a/', 'spiders/a'], ['a b', 'a b']])('path %j -> %j', (p, want) => expect(checkSubPath(p)).toBe(want));
  it.each(['../x', 'a/../b', 'a//b'])('refuses path %j', (p) => expect(() => checkSubPath(p)).toThrow(GitInputError));
});
