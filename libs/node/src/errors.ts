/**
 * Domain errors, thrown by services in every lib and mapped to HTTP statuses in one
 * place (the master's exception filter) and to gRPC codes where a gRPC handler meets them.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: 'bad-input' | 'not-found' | 'conflict' | 'too-large';
}

export class BadInputError extends DomainError {
  readonly kind = 'bad-input' as const;
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found' as const;
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`);
  }
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict' as const;
}

export class PayloadTooLargeError extends DomainError {
  readonly kind = 'too-large' as const;
}

/** Mongo's duplicate-key error: on inserts used as claims it means "someone else won". */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

export const OBJECT_ID_PATTERN = /^[0-9a-f]{24}$/;

export function assertObjectId(what: string, id: string): void {
  if (!OBJECT_ID_PATTERN.test(id)) throw new NotFoundError(what, id);
}
