import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggingConfig } from './logging.config';
import { serializeRequestSafely } from './request-redaction';

/** Request paths too frequent to log at info (probes and scrapes). */
const QUIET_PATHS = ['/api/health', '/metrics'];

/**
 * nestjs-pino settings for either app: one JSON object per line (fields such as taskId and
 * nodeId stay fields, so `jq 'select(.taskId=="…")'` finds every line about a task), or
 * pino-pretty when a person is watching a terminal. `base` names the process on every line.
 */
export function pinoParams(cfg: LoggingConfig, base: Record<string, string>, isTty = Boolean(process.stdout.isTTY)): Params {
  const pretty = cfg.format === 'pretty' || (cfg.format === 'auto' && isTty);
  return {
    pinoHttp: {
      level: cfg.level,
      base,
      messageKey: 'msg',
      formatters: { level: (label: string) => ({ level: label }) },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
      // Credentials may come in any header (or a query parameter): only allow-listed ones are shown.
      serializers: { req: serializeRequestSafely },
      // A request is worth a line at info only when it failed; the rest are debug.
      customLogLevel: (req: IncomingMessage, res: ServerResponse, err?: Error) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : QUIET_PATHS.some((p) => req.url?.startsWith(p)) ? 'trace' : 'debug',
      transport: pretty ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } : undefined,
    },
  };
}
