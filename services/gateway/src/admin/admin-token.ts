/**
 * The operator's credential: `Authorization: Bearer <token>`. The token comes
 * from PERPCORE_ADMIN_TOKEN, or is generated at start; a generated token is
 * returned to the composition root, which prints it once to the terminal (never
 * to a log). Compared in constant time over SHA-256 digests, so neither the
 * content nor the length of the real token leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { randomToken } from '../auth/api-credentials.js';

export const ADMIN_TOKEN_ENV = 'PERPCORE_ADMIN_TOKEN';
const MIN_TOKEN_LENGTH = 16;

export interface AdminToken {
  /** True when the caller's `Authorization` header carries the token. */
  matches(authorizationHeader: string | undefined): boolean;
}

export interface ResolvedAdminToken {
  readonly token: AdminToken;
  /** The generated token's text, to print once; undefined when it came from the environment. */
  readonly generated: string | undefined;
}

export function resolveAdminToken(env: NodeJS.ProcessEnv = process.env): ResolvedAdminToken {
  const configured = env[ADMIN_TOKEN_ENV];
  if (configured !== undefined && configured !== '') {
    if (configured.length < MIN_TOKEN_LENGTH || /\s/.test(configured)) throw new Error(`${ADMIN_TOKEN_ENV} must be at least ${MIN_TOKEN_LENGTH} characters without spaces`);
    return { token: adminToken(configured), generated: undefined };
  }
  const text = randomToken(48);
  return { token: adminToken(text), generated: text };
}

export function adminToken(text: string): AdminToken {
  const expected = digest(text);
  return {
    matches(header) {
      if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
      return timingSafeEqual(digest(header.slice('Bearer '.length)), expected);
    },
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
