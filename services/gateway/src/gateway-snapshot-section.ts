/**
 * The gateway's part of the embedded exchange's snapshot: the section "gateway"
 * (exchange durability/snapshot-sections.ts), written in the same file and at the
 * same journal seq as the core's state, restored onto the freshly built gateway of a
 * restart before the journal tail is replayed. So after a restart from a snapshot
 * the gateway answers as the one that took it would have: the tail's events land on
 * the state they followed, not on empty read models.
 *
 * In it, everything the gateway folds from the core's events:
 * - the order read model: every served account's open and retained closed orders,
 *   their client order ids (the newClientOrderId idempotency window), fills with
 *   their commission and realized PnL, and the halves of fills and settlements
 *   still waiting for each other (algo orders are orders here too);
 * - the spot-margin history: orders, trades and interest settlements per account;
 * - the order-id allocator's last id (ids never repeat across restarts, also within
 *   one wall-clock second);
 * - leverage and margin mode per account and market, the last mark prices;
 * - the market data: the L2 book and its lastUpdateId, trades, aggTrades (and the
 *   one in progress), the rolling 24 h ticker, mark / index / funding, funding
 *   history, forced orders;
 * - the dashboard's risk feed (items, ids, totals) and the accounts it follows at
 *   risk (their rows are asked again at the first refresh).
 * Not in it (ephemeral, begun again by a restart): WebSocket sessions and their
 * subscriptions, listen keys, rate-limit windows, countdownCancelAll timers,
 * Prometheus counters, the dashboard's wall-clock samples (stage rates, request
 * latency, insurance-fund history). The operator's accounts and API keys are
 * durable on their own (DIR/registry, auth/journaled-account-registry.ts).
 *
 * How: the objects are walked (@perpcore/snapshot captureGraph), so a field added to
 * them later is captured without a codec. Left out as wiring: the streams that
 * listen to the market data and the read model's update listeners (closures).
 */
import type { SnapshotSection } from '@perpcore/exchange';
import { type CaptureOptions, captureGraph, type Frame, restoreGraph } from '@perpcore/snapshot';
import type { GatewayServer } from './gateway-server.js';
import { MarketStreams } from './streams/market-streams.js';

export const GATEWAY_SNAPSHOT_SECTION = 'gateway';

function isWiring(v: object): boolean {
  if (v instanceof MarketStreams) return true; // the stream hub's listener on the market data: sessions, not state
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'function'); // listener lists
}

const captureOptions: CaptureOptions = { skip: isWiring };

export function gatewaySnapshotSection(server: GatewayServer): SnapshotSection {
  const { model, settings, marks, ids, spotHistory } = server.trading.deps;
  const root = { orders: model, ids, settings, marks, spotHistory, marketData: server.marketData, riskFeed: server.dashboard.feed, accountsAtRisk: server.dashboard.accounts };
  return {
    name: GATEWAY_SNAPSHOT_SECTION,
    capture: () => captureGraph(root, captureOptions),
    restore: (state) => {
      if (!Array.isArray(state)) throw new RangeError('the gateway section of the snapshot holds no captured state');
      restoreGraph(root, state as unknown as Frame, captureOptions);
    },
  };
}
