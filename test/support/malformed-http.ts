import { request } from 'node:http';

/** One request, sent exactly as written: no URL normalisation, no header fix-ups. */
export type RawRequest = {
  /** What makes it bad, for the failure report and the tally. */
  kind: string;
  method: string;
  /** Sent verbatim as the request target (dot segments and %-escapes untouched). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
};

export type RawResult = { status: number | null; body: string; error: string | null; ms: number };

/**
 * Sends a request on a fresh connection and reads at most `maxBody` bytes of the answer.
 * A status is recorded as soon as the head arrives: a server that answers 413 and then
 * closes the socket before the whole upload is written has still answered. Only a request
 * that gets no status at all (reset, timeout) is an `error`.
 */
export function sendRaw(port: number, r: RawRequest, timeoutMs = 15_000, maxBody = 2048): Promise<RawResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let status: number | null = null;
    let body = '';
    let settled = false;
    const done = (error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ status, body, error: status === null ? error : null, ms: Date.now() - started });
    };
    const payload = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
    const headers: Record<string, string> = { connection: 'close', ...r.headers };
    if (payload && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(payload.length);
    const req = request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent: false }, (res) => {
      status = res.statusCode ?? null;
      res.on('data', (c: Buffer) => {
        if (body.length < maxBody) body += c.toString('utf8');
        // An event stream (a 200 where a 4xx was due) would never end: the status is enough.
        if (body.length >= maxBody || String(res.headers['content-type']).startsWith('text/event-stream')) done(null);
      });
      res.on('end', () => done(null));
      res.on('error', (err) => done(String(err)));
    });
    const timer = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs);
    req.on('error', (err) => done(`${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.trim()));
    if (payload) req.end(payload);
    else req.end();
  });
}
