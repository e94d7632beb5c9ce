import { REDACTED, redactHeaders, redactUrl, serializeRequestSafely } from './request-redaction';

describe('request log redaction', () => {
  it.each([
    ['authorization', 'Bearer s3cret-token'],
    ['x-api-key', 's3cret-token'],
    ['x-crawlnest-token', 's3cret-token'],
    ['cookie', 'sid=s3cret-token'],
    ['proxy-authorization', 'Basic czNjcmV0'],
    ['X-Weird-Header', 'Bearer s3cret-token'],
  ])('hides the value of %s', (name, value) => {
    const out = redactHeaders({ [name]: value, host: 'localhost:8080' });
    expect(out[name]).toBe(REDACTED);
    expect(out.host).toBe('localhost:8080');
    expect(JSON.stringify(out)).not.toContain('s3cret');
  });

  it('keeps harmless headers readable', () => {
    expect(redactHeaders({ 'user-agent': 'curl/8', 'content-type': 'application/json' })).toEqual({ 'user-agent': 'curl/8', 'content-type': 'application/json' });
  });

  it('hides credential-like query values and keeps the rest', () => {
    expect(redactUrl('/api/tasks?token=abc&status=running&api_key=zzz')).toBe(`/api/tasks?token=${encodeURIComponent(REDACTED)}&status=running&api_key=${encodeURIComponent(REDACTED)}`);
    expect(redactUrl('/api/tasks')).toBe('/api/tasks');
  });

  it('copies: the live request headers stay intact', () => {
    const headers = { authorization: 'Bearer live' };
    const out = serializeRequestSafely({ method: 'GET', url: '/api/x?access_token=t', headers, query: { access_token: 't', page: '2' } });
    expect(headers.authorization).toBe('Bearer live');
    expect(out.headers).toEqual({ authorization: REDACTED });
    expect(out.query).toEqual({ access_token: REDACTED, page: '2' });
    expect(out.method).toBe('GET');
  });
});
