/**
 * Requests the gateway makes to its own REST routes on a client's behalf (the
 * WebSocket API, ws-api/): the route path (limits, authentication, filters,
 * errors, responses) is the REST one, byte for byte the same code, and only the
 * credentials travel differently. Binance's WebSocket API signs the parameters
 * sorted by name, `apiKey` among them, which no query string as sent reproduces,
 * so the caller parks what was signed here under a random one-shot token and
 * sends the token in the `x-perpcore-delegated-call` header of an in-process
 * request (fastify's inject); `requireCaller` takes it back and verifies it.
 *
 * A token is 128 random bits that lives only while its in-process request runs
 * and is taken on first use, so a header sent over the network names nothing
 * (answered -2015, as an unknown key) and cannot bypass a check: the parked input
 * is verified exactly as a signed REST request is.
 */
import { randomBytes } from 'node:crypto';

export const DELEGATED_CALL_HEADER = 'x-perpcore-delegated-call';

export interface SignedPayloadInput {
  /** The API key the request names (Binance WebSocket API: the `apiKey` parameter). */
  readonly apiKey: string | undefined;
  /** The exact text that was signed. */
  readonly payload: string;
  /** The signature sent, or undefined when none was. */
  readonly signature: string | undefined;
  /** The parameters the checks read (timestamp, recvWindow) and the route's, without apiKey and signature. */
  readonly params: ReadonlyMap<string, string>;
}

export class DelegatedCalls {
  private readonly pending = new Map<string, SignedPayloadInput>();

  get size(): number {
    return this.pending.size;
  }

  /** Parks `input` until `take` or `drop`; the token goes in the delegated-call header. */
  park(input: SignedPayloadInput): string {
    const token = randomBytes(16).toString('hex');
    this.pending.set(token, input);
    return token;
  }

  take(token: string): SignedPayloadInput | undefined {
    const input = this.pending.get(token);
    if (input !== undefined) this.pending.delete(token);
    return input;
  }

  /** After the request ended: a request refused before authentication (limits, a halt) never took its token. */
  drop(token: string): void {
    this.pending.delete(token);
  }
}
