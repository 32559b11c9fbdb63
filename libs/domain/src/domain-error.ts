/**
 * The one error type of the pure cores: a stable machine code (stage-prefixed,
 * e.g. `DOMAIN_INVALID_DECIMAL`) plus a human message that names the offending
 * parameter. Services turn it into a reject event; nothing catches it silently.
 */
export class DomainError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`Condition failed: ${message}`);
    this.name = 'DomainError';
    this.code = code;
  }
}

/** Result of a `try…` variant: never throws, carries the same code and message. */
export type Result<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(code: string, message: string): Result<T> {
  return { ok: false, code, message };
}

/** Runs a throwing constructor and turns a DomainError into a failed Result. */
export function attempt<T>(fn: () => T): Result<T> {
  try {
    return ok(fn());
  } catch (error) {
    if (error instanceof DomainError) return fail(error.code, error.message);
    throw error;
  }
}
