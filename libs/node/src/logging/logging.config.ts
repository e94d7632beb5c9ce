import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** The logging variables both apps accept; spread into each app's env schema. */
export const loggingVars = {
  CRAWLNEST_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** auto: human-readable on a terminal, JSON lines otherwise. */
  CRAWLNEST_LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
};

export type LoggingConfig = {
  level: (typeof LOG_LEVELS)[number];
  format: 'auto' | 'json' | 'pretty';
};

export function loggingConfig(e: { CRAWLNEST_LOG_LEVEL: LoggingConfig['level']; CRAWLNEST_LOG_FORMAT: LoggingConfig['format'] }): LoggingConfig {
  return { level: e.CRAWLNEST_LOG_LEVEL, format: e.CRAWLNEST_LOG_FORMAT };
}
