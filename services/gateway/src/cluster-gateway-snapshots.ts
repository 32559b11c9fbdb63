/**
 * Snapshots of a cluster gateway's read models (`PERPCORE_SNAPSHOT_DIR`), so that a
 * restart replays only the event topics' records after the newest snapshot instead
 * of everything the topics retain, and so that a gateway keeps its history once
 * retention has deleted the records it was folded from.
 *
 * In a snapshot: the gateway section (gateway-snapshot-section.ts: orders, client
 * order ids, fills, settings, marks, market data, the dashboard's feed, the order-id
 * allocator), the client's own folds (books, insurance funds, the redelivery filter's
 * last sequences, live orders, the halt; `KafkaExchangeClient.exportFolds`), and the
 * offsets both include, per replayed topic and partition. Taken between two
 * messages (handlers are synchronous) and never between two envelopes of a framed
 * record, so the offsets say exactly what the folds hold.
 *
 * Start: the newest valid snapshot is checked against what the topics hold now
 * (`Bus.retainedOffsets`); every included offset must lie between the partition's
 * earliest retained offset and its end. Below the earliest, retention deleted records
 * the gateway never folded; above the end, the snapshot is of other topics (a wiped
 * or recreated cluster). Either refuses the start with one line
 * (`GatewaySnapshotRefusedError`) rather than serve read models with a hole. Then
 * both parts are overlaid onto the freshly built gateway (their re-capture must hash
 * as recorded) and the replayed topics are read from the included offsets on.
 * Without a snapshot: from the earliest retained records, as without a directory.
 *
 * Not in it (as in embedded mode): WebSocket sessions, listen keys, rate-limit
 * windows, countdown timers, metrics; the operator's accounts and keys live on
 * `gateway.registry.v1` (retained for ever). Commands in flight at the snapshot
 * are not either: their answers, replayed, find no caller and change nothing else.
 *
 * A directory per gateway process (files are written by one writer); the stage name
 * and the venue fingerprint (markets, order-id lane) are checked on open.
 */
import { createHash } from 'node:crypto';
import { type Bus, Topics, type Topic } from '@perpcore/bus';
import { KAFKA_CLIENT_REPLAYED_TOPICS, type KafkaExchangeClient } from '@perpcore/exchange';
import type { Logger } from '@perpcore/observability';
import { decodeValue, encodeValue, type Frame, OffsetTrackingBus, SnapshotStore, type StoredSnapshot, type TopicOffsets } from '@perpcore/snapshot';
import { gatewaySnapshotSection } from './gateway-snapshot-section.js';
import type { GatewayServer } from './gateway-server.js';

export const CLUSTER_GATEWAY_SNAPSHOT_STAGE = 'gateway';

export class GatewaySnapshotRefusedError extends Error {
  readonly code = 'SNAPSHOT_UNUSABLE';
  constructor(message: string) {
    super(message);
    this.name = 'GatewaySnapshotRefusedError';
  }
}

export interface ClusterGatewaySnapshotOptions {
  readonly dir: string;
  /** `configFingerprint` of what the state was built under (markets, order-id lane). */
  readonly venueFingerprint: string;
  readonly everyMs: number;
  /** A periodic snapshot is taken only if at least this many messages were applied since the last. */
  readonly minMessages: number;
  readonly keepNewest: number;
  readonly logger: Logger;
}

export interface WrittenSnapshot {
  readonly file: string;
  readonly bytes: number;
  readonly ms: number;
  readonly offsets: TopicOffsets;
}

interface SnapshotPayload {
  readonly client: Frame;
  readonly gateway: unknown;
}

const REPLAYED = new Set(KAFKA_CLIENT_REPLAYED_TOPICS);

function topicNamed(name: string): Topic<unknown> {
  const topic = Object.values(Topics).find((t) => t.name === name);
  if (topic === undefined) throw new GatewaySnapshotRefusedError(`the snapshot includes offsets of ${name}, a topic this build does not know`);
  return topic as Topic<unknown>;
}

function hashOf(payload: Uint8Array): string {
  return createHash('sha256').update(payload).digest('hex');
}

export class ClusterGatewaySnapshots {
  private tracking: OffsetTrackingBus | null = null;
  private parts: { client: KafkaExchangeClient; server: GatewayServer } | null = null;
  private lastApplied = 0;
  private writing = false;

  private constructor(
    private readonly options: ClusterGatewaySnapshotOptions,
    private readonly store: SnapshotStore,
    private readonly newest: StoredSnapshot | undefined,
  ) {}

  /** Opens (creating) the directory; throws the store's refusal if it holds another stage's or venue's snapshots. */
  static open(options: ClusterGatewaySnapshotOptions): ClusterGatewaySnapshots {
    const store = SnapshotStore.open(options.dir, {
      stage: CLUSTER_GATEWAY_SNAPSHOT_STAGE,
      venueFingerprint: options.venueFingerprint,
      onCorrupt: (error) => options.logger.warn({ file: error.file, reason: error.reason }, 'corrupt gateway snapshot skipped'),
    });
    const newest = store.newestValid();
    if (newest !== undefined && !('offsets' in newest.header.position)) throw new GatewaySnapshotRefusedError(`${newest.file} records a journal position, not Kafka offsets: not a cluster gateway's snapshot`);
    return new ClusterGatewaySnapshots(options, store, newest);
  }

  /** The snapshot the gateway starts from, or null (from the topics' earliest records). */
  get restoredFrom(): { file: string; offsets: TopicOffsets } | null {
    const n = this.newest;
    return n === undefined ? null : { file: n.file, offsets: this.includedOffsets(n) };
  }

  /** The bus to give the client: the replayed topics start at the snapshot's offsets, and it tracks what is applied. */
  bus(inner: Bus): OffsetTrackingBus {
    const from = this.restoredFrom;
    this.tracking = new OffsetTrackingBus(inner, from?.offsets ?? {});
    return this.tracking;
  }

  /**
   * Checks the snapshot against what the topics hold, then overlays it onto the
   * freshly built, not yet connected client and the server built on it. Throws
   * `GatewaySnapshotRefusedError` (nothing applied) when the topics no longer hold
   * what follows it.
   */
  async restore(client: KafkaExchangeClient, server: GatewayServer, bus: Bus): Promise<void> {
    this.parts = { client, server };
    const n = this.newest;
    if (n === undefined) return;
    await this.checkRetained(n, bus);
    const payload = decodeValue(n.payload) as SnapshotPayload;
    client.importFolds(payload.client);
    gatewaySnapshotSection(server).restore(payload.gateway);
    const again = this.capture();
    if (hashOf(again) !== n.header.stateHash) throw new Error(`${n.file}: the restored read models hash ${hashOf(again)}, not the recorded ${n.header.stateHash}`);
  }

  /** Captures the folds and the offsets they include, then writes them; null while a framed record is half applied. */
  async snapshotNow(): Promise<WrittenSnapshot | null> {
    const tracking = this.tracking;
    if (tracking === null || this.parts === null) throw new Error('snapshotNow before the client was built on bus() and restore() was called');
    if (!tracking.atRecordBoundary) return null;
    const started = performance.now();
    const payload = this.capture();
    const offsets = replayedOnly(tracking.positions());
    const applied = tracking.applied;
    const file = this.store.write(payload, { offsets }, hashOf(payload));
    this.store.prune({ keepNewest: this.options.keepNewest });
    this.lastApplied = applied;
    return { file, bytes: payload.length, ms: performance.now() - started, offsets };
  }

  /** Every `everyMs`, a snapshot if `minMessages` were applied since the last; returns the stop function. */
  startPeriodic(): () => void {
    const timer = setInterval(() => {
      const tracking = this.tracking;
      if (this.writing || tracking === null || tracking.applied - this.lastApplied < this.options.minMessages) return;
      this.writing = true;
      this.snapshotNow().then(
        (w) => {
          this.writing = false;
          if (w !== null) this.options.logger.info({ file: w.file, bytes: w.bytes, ms: Math.round(w.ms) }, 'gateway snapshot written');
        },
        (error: unknown) => {
          this.writing = false;
          this.options.logger.error({ err: error }, 'gateway snapshot failed');
        },
      );
    }, this.options.everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Messages the client applied in this life (a restored start replays fewer). */
  get applied(): number {
    return this.tracking?.applied ?? 0;
  }

  private capture(): Uint8Array {
    const parts = this.parts;
    if (parts === null) throw new Error('capture before restore()');
    const payload: SnapshotPayload = { client: parts.client.exportFolds(), gateway: gatewaySnapshotSection(parts.server).capture() };
    return encodeValue(payload);
  }

  private includedOffsets(n: StoredSnapshot): TopicOffsets {
    const position = n.header.position;
    return 'offsets' in position ? replayedOnly(position.offsets) : {};
  }

  private async checkRetained(n: StoredSnapshot, bus: Bus): Promise<void> {
    if (bus.retainedOffsets === undefined) return; // in-process: nothing is ever deleted
    for (const [name, partitions] of Object.entries(this.includedOffsets(n))) {
      const retained = await bus.retainedOffsets(topicNamed(name));
      for (const [p, offset] of Object.entries(partitions)) {
        const range = retained.get(Number(p));
        const where = `${name} partition ${p}`;
        if (range === undefined) throw new GatewaySnapshotRefusedError(`${n.file} includes ${where}, which the topic does not have: a snapshot of other topics`);
        if (offset < range.earliest) {
          throw new GatewaySnapshotRefusedError(
            `${n.file} includes ${where} up to offset ${offset}, but the topic now starts at ${range.earliest}: retention deleted records this gateway never folded (raise the retention above the snapshot interval; to start anyway, move the directory away and the gateway replays what is retained)`,
          );
        }
        if (offset > range.end) throw new GatewaySnapshotRefusedError(`${n.file} includes ${where} up to offset ${offset}, beyond its end ${range.end}: a snapshot of other (wiped or recreated) topics`);
      }
    }
  }
}

/** The replayed topics' offsets only: the query replies start at the end on every start. */
function replayedOnly(offsets: TopicOffsets): TopicOffsets {
  return Object.fromEntries(Object.entries(offsets).filter(([topic]) => REPLAYED.has(topic)));
}
