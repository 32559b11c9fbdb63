/**
 * Hostile WebSocket traffic for the fuzz test: session URLs that name unknown
 * streams, forged or malformed listenKeys and odd prefixes, and frames that are
 * random text, random JSON, binary, oversized, or control frames with every field
 * wrong in turn (methods, params that name other accounts' or unknown streams,
 * ids of every type). Seeded: the same run every time.
 */
import fc from 'fast-check';

/** Larger than the server's 64 KiB frame limit: the session must be closed 1009, nothing else. */
const OVERSIZED = 'x'.repeat(70_000);

export const hostileSessionPath: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('/ws', '/stream', '/public/ws', '/market/stream', '/private/ws', '/ws/btcusdt@trade', '/stream?streams=btcusdt@depth/btcusdt@aggTrade', '/public/ws/3'),
  fc.constantFrom('/ws/btcusdt@nope', '/ws/DOGEUSDT@trade', '/stream?streams=%00', '/ws/..%2f..%2fadmin', `/ws/${'a'.repeat(300)}`, '/private/ws?listenKey=', '/ws?cancelOnDisconnect=true'),
  // a listenKey of the right shape that nobody was given (a forged key)
  fc.stringMatching(/^[0-9a-f]{64}$/).map((key) => `/private/ws?listenKey=${key}&cancelOnDisconnect=true`),
  fc.stringMatching(/^[0-9a-f]{64}$/).map((key) => `/ws/${key}`),
);

const stream = fc.oneof(
  fc.constantFrom('btcusdt@trade', 'btcusdt@depth', 'btcusdt@depth5', 'btcusdt@depth@100ms', 'ethusdt@markPrice@1s', 'btcusdt@bookTicker', '!forceOrder@arr'),
  fc.constantFrom('btcusdt@nope', 'BTCUSDT@trade', 'dogeusdt@trade', '@', '', 'btcusdt@depth7', 'btcusdt@depth@1ms', '!x@arr'),
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.string({ maxLength: 40 }),
  fc.integer(),
);

const controlFrame = fc.record(
  {
    method: fc.oneof(fc.constantFrom('SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY', 'subscribe', 'REQUEST', ''), fc.anything({ maxDepth: 1 })),
    params: fc.oneof(fc.array(stream, { maxLength: 8 }), fc.constantFrom(['combined', true], ['combined', 'yes'], [Array.from({ length: 300 }, (_v, i) => `btcusdt@depth${i}`)]), fc.anything({ maxDepth: 2 })),
    id: fc.oneof(fc.integer({ min: -5, max: 2 ** 53 }), fc.string({ maxLength: 70 }), fc.constant(null), fc.double(), fc.constant({})),
  },
  { requiredKeys: [] },
);

export type HostileFrame = string | Buffer;

export const hostileFrame: fc.Arbitrary<HostileFrame> = fc.oneof(
  { weight: 40, arbitrary: controlFrame.map((f) => JSON.stringify(f)) },
  { weight: 20, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 20, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 10, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  { weight: 10, arbitrary: controlFrame.map((f) => JSON.stringify(f).slice(0, 15)) },
  // rare: it ends its session
  { weight: 1, arbitrary: fc.constant(OVERSIZED) },
);
