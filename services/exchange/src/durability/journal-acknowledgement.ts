/**
 * Acknowledgement rules of an HTTP front over the journaled core, as two hooks a
 * fastify app registers (`onRequest`, `onSend`); typed structurally so this
 * package needs no fastify.
 *
 * - A reply is sent only once every input so far is durable (`inputs.flush()`):
 *   an answer never acknowledges what a crash could lose. Group commit makes the
 *   wait one fsync shared by every request in flight.
 * - After a journal write error every request is refused with 503 before any
 *   handler runs (nothing reaches the core), and a reply whose flush fails is
 *   replaced by a 503: the client must not take it as done.
 *
 * Without a journal `flush()` resolves at once, so the hooks cost one microtask.
 */
import type { CoreInputGate } from './core-input-gate.js';

interface ReplyLike {
  readonly statusCode: number;
  code(statusCode: number): unknown;
  header(name: string, value: string): unknown;
  send(payload: string): unknown;
}

/** The Binance-style body of the refusal (`-1001`: "internal error; unable to process your request"). */
function refusal(message: string): string {
  return JSON.stringify({ code: -1001, msg: `JOURNAL_WRITE_FAILED: ${message}` });
}

export function journalAcknowledgementHooks(inputs: CoreInputGate): {
  onRequest: (request: unknown, reply: ReplyLike) => Promise<void>;
  onSend: (request: unknown, reply: ReplyLike, payload: unknown) => Promise<unknown>;
} {
  return {
    async onRequest(_request, reply) {
      const failure = inputs.failure;
      if (failure === null) return;
      reply.code(503);
      reply.header('content-type', 'application/json; charset=utf-8');
      reply.send(refusal(`input stopped: ${failure.message}`));
    },
    async onSend(_request, reply, payload) {
      if (reply.statusCode === 503) return payload; // a refusal acknowledges nothing
      try {
        await inputs.flush();
        return payload;
      } catch (error) {
        reply.code(503);
        reply.header('content-type', 'application/json; charset=utf-8');
        return refusal(`input stopped, this request may not be durable: ${(error as Error).message}`);
      }
    },
  };
}
