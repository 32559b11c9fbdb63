/**
 * The embedded exchange's complete state as bytes, and back: every stage (matching
 * books, risk accounts and positions, the liquidation ladders in flight, the oracle
 * feed) through each stage's own `exportState()`, plus the simulated market around
 * them (the flow's and the crowd's random generators and order ids, the index feed,
 * the gateways' sequences, the event clock, the run's counters), captured by walking
 * the exchange (@perpcore/snapshot).
 *
 * Why the simulated market is in the snapshot: it is a client, but `npm start` runs it
 * in the same process; restoring it with the stages lets a restarted run continue as
 * if never stopped (same order ids, same random draws), so a crash test can compare
 * the continued run with an uninterrupted one hash for hash. Its order ids can never
 * collide with journaled ones: its id allocator is restored with everything else.
 *
 * Not state, left out: the bus (restoring rebuilds an empty one; a snapshot is taken
 * between inputs, when nothing is in flight on it), loggers, the input gate and its
 * journal (the twin is built with its own gate, positioned at the snapshot's seq),
 * and the gateway's clients.
 *
 * Bytes: `{ journalSeq, exchange }` in the snapshot library's encoding; the snapshot
 * file (SnapshotStore) adds magic, version, venue fingerprint, position, hash and
 * checksum around it.
 */
import { type CaptureOptions, captureGraph, decodeValue, encodeValue, type Frame, restoreGraph } from '@perpcore/snapshot';
import { embeddedVenueFingerprint } from './venue-fingerprint.js';
import { EmbeddedExchange, type EmbeddedExchangeOptions } from '../embedded-exchange.js';
import { EmbeddedExchangeClient } from '../client/embedded-exchange-client.js';
import { CoreInputGate } from './core-input-gate.js';

export { EMBEDDED_STAGE, embeddedVenueFingerprint } from './venue-fingerprint.js';

function isWiring(v: object): boolean {
  const o = v as Record<string, unknown>;
  if (v instanceof EmbeddedExchangeClient) return true; // a client's capture and handlers are the gateway's, not the core's
  if (v instanceof CoreInputGate) return true; // the journal's entry point: its position is the snapshot's journalSeq, the restored twin gets its own
  if (typeof o.subscribe === 'function' && typeof o.publish === 'function') return true; // a bus
  if (typeof o.child === 'function' && typeof o.info === 'function' && typeof o.level === 'string') return true; // a logger
  return typeof o.listen === 'function' && typeof o.inject === 'function'; // the HTTP server
}

const captureOptions: CaptureOptions = { skip: isWiring };

/** The exchange's state at journal position `journalSeq` (every input up to and including it applied). Take it between inputs. */
export function captureExchangeState(exchange: EmbeddedExchange, journalSeq: number): Uint8Array {
  if (!Number.isSafeInteger(journalSeq) || journalSeq < 0) throw new RangeError(`journalSeq must be a non-negative safe integer, got ${journalSeq}`);
  return encodeValue({ journalSeq, fingerprint: exchange.venueFingerprint, exchange: captureGraph(exchange, captureOptions) });
}

export interface RestoreExchangeOptions extends EmbeddedExchangeOptions {
  /** The state hash the snapshot recorded: the restored exchange must reproduce it, or the restore fails. */
  expectedStateHash?: string;
}

/**
 * A fresh exchange of `options` (same markets, venue, scenario and seed as the one
 * captured) with the captured state in it. Throws (and closes the half-built twin)
 * if the bytes do not fit it or the restored state does not hash as recorded.
 */
export async function restoreExchangeState(bytes: Uint8Array, options: RestoreExchangeOptions): Promise<{ exchange: EmbeddedExchange; journalSeq: number }> {
  const decoded = decodeValue(bytes) as { journalSeq?: unknown; fingerprint?: unknown; exchange?: unknown };
  if (decoded === null || typeof decoded !== 'object' || typeof decoded.journalSeq !== 'number' || !Array.isArray(decoded.exchange)) {
    throw new RangeError('not an embedded exchange snapshot (no journal position or exchange state)');
  }
  const fingerprint = embeddedVenueFingerprint(options);
  if (decoded.fingerprint !== fingerprint) {
    throw new RangeError(`the snapshot was taken under another venue configuration (fingerprint ${String(decoded.fingerprint).slice(0, 12)}…, this exchange ${fingerprint.slice(0, 12)}…)`);
  }
  const { expectedStateHash, ...exchangeOptions } = options;
  const exchange = await EmbeddedExchange.create({ ...exchangeOptions, bare: true });
  try {
    restoreGraph(exchange, decoded.exchange as unknown as Frame, captureOptions);
    if (expectedStateHash !== undefined && exchange.stateHash() !== expectedStateHash) {
      throw new Error(`restored state hash ${exchange.stateHash()} differs from the snapshot's ${expectedStateHash}`);
    }
  } catch (error) {
    await exchange.close();
    throw error;
  }
  return { exchange, journalSeq: decoded.journalSeq };
}
