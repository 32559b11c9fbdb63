/**
 * The form-body parser of the /fapi routes, in place of @fastify/formbody: it keeps
 * the body's raw text on the request (`request.rawBody`), because the signature
 * is over the bytes as sent, and parses it with the same duplicate rule as the
 * query (request-params.ts). Register it once on the server (gateway-server.ts).
 */
import type { FastifyInstance } from 'fastify';
import { parseParams } from './request-params.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The raw form body, '' when there is none. */
    rawBody?: string;
  }
}

export function registerFormBody(app: FastifyInstance, bodyLimitBytes: number): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: bodyLimitBytes }, (request, body, done) => {
    const text = body as string;
    request.rawBody = text;
    try {
      done(null, fieldsOf(parseParams(text)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/**
 * The parameters as a body object. Null prototype: a parameter named `__proto__`
 * is a field like any other, never the object's prototype. (A loop: Object.fromEntries
 * costs about five times as much, on every request.)
 */
function fieldsOf(params: ReadonlyMap<string, string>): Record<string, string> {
  const fields = Object.create(null) as Record<string, string>;
  for (const [name, value] of params) fields[name] = value;
  return fields;
}
