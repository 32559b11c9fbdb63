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
 * Bytes: `{ journalSeq, fingerprint, exchange, sections }` in the snapshot library's
 * encoding, `sections` the extra named sections of the readers in the same process
 * (snapshot-sections.ts: the gateway's read models), captured at the same seq; the
 * snapshot file (SnapshotStore) adds magic, version, venue fingerprint, position,
 * hash (the core's `stateHash()`) and checksum around it.
 */
import { type CaptureOptions, captureGraph, decodeValue, encodeValue, type Frame, restoreGraph } from '@perpcore/snapshot';
import { captureSections, type SnapshotSection, sectionStates } from './snapshot-sections.js';
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

/**
 * The exchange's state at journal position `journalSeq` (every input up to and
 * including it applied), with `sections` captured at the same point. Take it between inputs.
 */
export function captureExchangeState(exchange: EmbeddedExchange, journalSeq: number, sections: readonly SnapshotSection[] = []): Uint8Array {
  if (!Number.isSafeInteger(journalSeq) || journalSeq < 0) throw new RangeError(`journalSeq must be a non-negative safe integer, got ${journalSeq}`);
  return encodeValue({ journalSeq, fingerprint: exchange.venueFingerprint, exchange: captureGraph(exchange, captureOptions), sections: captureSections(sections) });
}

export interface RestoreExchangeOptions extends EmbeddedExchangeOptions {
  /** The state hash the snapshot recorded: the restored exchange must reproduce it, or the restore fails. */
  expectedStateHash?: string;
  /**
   * The sections to restore, asked for once the twin is built (its `beforeFirstInput`
   * is where the readers supplying them are made); each must be in the snapshot.
   */
  sections?: () => readonly SnapshotSection[];
}

/** A snapshot payload decoded: its position, the core's frame and its sections by name. */
export interface DecodedExchangeSnapshot {
  readonly journalSeq: number;
  readonly fingerprint: unknown;
  readonly exchange: Frame;
  readonly sections: ReadonlyMap<string, unknown>;
}

export function decodeExchangeSnapshot(bytes: Uint8Array): DecodedExchangeSnapshot {
  const decoded = decodeValue(bytes) as { journalSeq?: unknown; fingerprint?: unknown; exchange?: unknown; sections?: unknown };
  if (decoded === null || typeof decoded !== 'object' || typeof decoded.journalSeq !== 'number' || !Array.isArray(decoded.exchange)) {
    throw new RangeError('not an embedded exchange snapshot (no journal position or exchange state)');
  }
  return { journalSeq: decoded.journalSeq, fingerprint: decoded.fingerprint, exchange: decoded.exchange as unknown as Frame, sections: sectionStates(decoded) };
}

/**
 * A fresh exchange of `options` (same markets, venue, scenario and seed as the one
 * captured) with the captured state in it, then each of `options.sections`. Throws
 * (and closes the half-built twin) if the bytes do not fit it, the restored state
 * does not hash as recorded, a section is missing, or a restored section does not
 * capture back to the snapshot's bytes.
 */
export async function restoreExchangeState(bytes: Uint8Array | DecodedExchangeSnapshot, options: RestoreExchangeOptions): Promise<{ exchange: EmbeddedExchange; journalSeq: number }> {
  const decoded = bytes instanceof Uint8Array ? decodeExchangeSnapshot(bytes) : bytes;
  const fingerprint = embeddedVenueFingerprint(options);
  if (decoded.fingerprint !== fingerprint) {
    throw new RangeError(`the snapshot was taken under another venue configuration (fingerprint ${String(decoded.fingerprint).slice(0, 12)}…, this exchange ${fingerprint.slice(0, 12)}…)`);
  }
  const { expectedStateHash, sections, ...exchangeOptions } = options;
  const exchange = await EmbeddedExchange.create({ ...exchangeOptions, bare: true });
  try {
    restoreGraph(exchange, decoded.exchange, captureOptions);
    if (expectedStateHash !== undefined && exchange.stateHash() !== expectedStateHash) {
      throw new Error(`restored state hash ${exchange.stateHash()} differs from the snapshot's ${expectedStateHash}`);
    }
    for (const section of sections?.() ?? []) restoreSection(section, decoded);
  } catch (error) {
    await exchange.close();
    throw error;
  }
  return { exchange, journalSeq: decoded.journalSeq };
}

function restoreSection(section: SnapshotSection, decoded: DecodedExchangeSnapshot): void {
  const state = decoded.sections.get(section.name);
  if (state === undefined) throw new Error(`the snapshot at seq ${decoded.journalSeq} has no "${section.name}" section`);
  section.restore(state);
  // the restore is checked, not trusted: what it built must capture back to what was stored
  if (!Buffer.from(encodeValue(section.capture())).equals(encodeValue(state))) {
    throw new Error(`the "${section.name}" section restored from the snapshot at seq ${decoded.journalSeq} does not capture back to the same bytes (another build?)`);
  }
}
