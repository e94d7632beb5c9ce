/**
 * What the request logger may show of a request. Credentials come in any header a client
 * picks (`authorization`, `x-api-key`, `x-token`, a proxy's own…), so headers are allow-listed:
 * every header not known to be harmless is logged as `[redacted]`, never its value.
 */
export const LOGGABLE_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'connection',
  'content-length',
  'content-type',
  'host',
  'transfer-encoding',
  'user-agent',
  'x-forwarded-for',
  'x-request-id',
]);

export const REDACTED = '[redacted]';

/** Query parameters whose value looks like a credential (`?token=…`, `?api_key=…`). */
const SECRET_PARAM = /token|secret|key|auth|pass|session|sig/i;

export function redactHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = LOGGABLE_HEADERS.has(k.toLowerCase()) ? v : REDACTED;
  return out;
}

export function redactUrl(url: string | undefined): string | undefined {
  if (!url || !url.includes('?')) return url;
  const [path, query] = [url.slice(0, url.indexOf('?')), url.slice(url.indexOf('?') + 1)];
  const params = new URLSearchParams(query);
  for (const k of [...params.keys()]) if (SECRET_PARAM.test(k)) params.set(k, REDACTED);
  return `${path}?${params.toString()}`;
}

type SerializedRequest = { url?: string; headers?: Record<string, unknown>; query?: Record<string, unknown>; [k: string]: unknown };

/**
 * pino-http `req` serializer: a copy of pino's serialized request with headers allow-listed
 * and credential-like query values hidden. It copies because pino's object shares its
 * `headers` with the live request.
 */
export function serializeRequestSafely(req: SerializedRequest): SerializedRequest {
  const query: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req.query ?? {})) query[k] = SECRET_PARAM.test(k) ? REDACTED : v;
  return { ...req, url: redactUrl(req.url), query, headers: redactHeaders(req.headers) };
}
