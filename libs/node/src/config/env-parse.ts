import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';

/** Thrown once at start when a CRAWLNEST_* variable is invalid; main() prints it and exits. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export const intVar = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected an integer between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected >= ${min}`).max(max, `expected <= ${max}`));

export const portVar = () => intVar(1, 65535);

/** `host:port[,host:port...]` */
export const addressListVar = () =>
  z
    .string()
    .trim()
    .transform((s) => s.split(',').map((a) => a.trim()).filter(Boolean))
    .pipe(
      z
        .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port'))
        .min(1, 'expected at least one host:port'),
    );

/** `k=v,k2=v2` → pairs; keys may hold dots, so they stay pairs, never object keys in the DB. */
export const labelsVar = () =>
  z
    .string()
    .trim()
    .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean))
    .pipe(
      z.array(
        z.string().regex(/^[^=]+=[^=]*$/, 'expected key=value pairs separated by commas'),
      ),
    )
    .transform((pairs) =>
      pairs.map((p) => {
        const i = p.indexOf('=');
        return { key: p.slice(0, i), value: p.slice(i + 1) };
      }),
    );

/**
 * Validates `env` against `schema`, naming each bad variable and what it expects.
 * Empty strings count as unset so `VAR= cmd` falls back to the default.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`),
  );
}

/** A PEM file named by a variable, read once at start: its path and its content. */
export type PemFile = { path: string; pem: Buffer };

/**
 * Path of a PEM certificate (or CA bundle) or private key: read at parse time, so a missing,
 * unreadable or malformed file stops the start naming its variable, not the first handshake.
 */
export const pemFileVar = (kind: 'certificate' | 'private key') =>
  z
    .string()
    .trim()
    .transform((path, ctx): PemFile => {
      let pem: Buffer;
      try {
        pem = readFileSync(path);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
        return z.NEVER;
      }
      try {
        if (kind === 'certificate') new X509Certificate(pem);
        else createPrivateKey(pem);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `${path} is not a PEM ${kind} (${(err as Error).message})` });
        return z.NEVER;
      }
      return { path, pem };
    });

/**
 * Problems with a certificate/key pair given by `certVar`/`keyVar`: one without the other,
 * or a key that does not belong to the certificate.
 */
export function certKeyPairProblems(
  cert: PemFile | undefined,
  key: PemFile | undefined,
  certVar: string,
  keyVar: string,
): string[] {
  if (cert && !key) return [`${keyVar}: required when ${certVar} is set`];
  if (key && !cert) return [`${certVar}: required when ${keyVar} is set`];
  if (!cert || !key) return [];
  try {
    createSecureContext({ cert: cert.pem, key: key.pem });
    return [];
  } catch (err) {
    return [`${keyVar}: ${key.path} does not match the certificate in ${certVar} (${(err as Error).message})`];
  }
}
