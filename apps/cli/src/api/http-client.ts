import { Readable } from 'node:stream';
import { CliError } from '../errors';
import type { Connection } from '../config/profile';

/** An answer of the API that is not 2xx; `message` is the API's own (field and reason). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly apiMessage: string,
    hint = '',
  ) {
    super(`${status} ${apiMessage}${hint ? ` (${hint})` : ''}`);
  }
}

type Query = Record<string, string | number | undefined>;

/** Turns Nest's `{statusCode, error, message}` (message a string or a list) into one line. */
export function apiMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: string; message?: string | string[] };
    const msg = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    if (msg) return body.error && body.error !== msg ? `${body.error}: ${msg}` : msg;
  } catch {
    // Not JSON (a proxy's page, say): show the start of the text below.
  }
  return text.trim().slice(0, 200) || `HTTP ${status}`;
}

/** The one place the CLI talks HTTP: bearer token, JSON in and out, errors as ApiError. */
export class HttpClient {
  constructor(private readonly conn: Connection) {}

  get url(): string {
    return this.conn.url;
  }

  async json<T>(method: string, path: string, opts: { query?: Query; body?: unknown } = {}): Promise<T> {
    const res = await this.send(method, path, {
      query: opts.query,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      contentType: opts.body === undefined ? undefined : 'application/json',
    });
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A streamed request body (an archive): sent chunked, never buffered whole. */
  async upload<T>(method: string, path: string, body: Readable, contentType: string): Promise<T> {
    const res = await this.send(method, path, { body: Readable.toWeb(body) as ReadableStream, contentType });
    return (await res.json()) as T;
  }

  /** The raw response of a 2xx answer, for streaming its body (exports). */
  async stream(path: string, query?: Query): Promise<Response> {
    return this.send('GET', path, { query });
  }

  private async send(method: string, path: string, opts: { query?: Query; body?: BodyInit; contentType?: string }): Promise<Response> {
    const url = new URL(this.conn.url + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {};
    if (this.conn.token) headers.authorization = `Bearer ${this.conn.token}`;
    if (opts.contentType) headers['content-type'] = opts.contentType;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: opts.body, duplex: 'half' } as RequestInit);
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach the master at ${this.conn.url}: ${cause?.code ?? cause?.message ?? (e as Error).message} (is it running? set the address with \`crawlnest login --url\` or CRAWLNEST_URL)`);
    }
    if (res.ok) return res;
    const msg = apiMessage(res.status, await res.text());
    if (res.status === 401) {
      throw new ApiError(401, msg, this.conn.token ? `the token from ${this.conn.source} was refused; run \`crawlnest login --url URL --token TOKEN\` or set CRAWLNEST_TOKEN` : 'no token: run `crawlnest login --url URL --token TOKEN` or set CRAWLNEST_TOKEN');
    }
    throw new ApiError(res.status, msg);
  }
}
