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
      done(null, Object.fromEntries(parseParams(text)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
