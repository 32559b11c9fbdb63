/**
 * `ExchangeClient` over Kafka (cluster mode): the gateway process's door to the
 * stages running as their own processes. Depends only on the `Bus` port and the
 * topic catalogue (libs/bus), never on the broker client.
 *
 * - Commands go out on `gateway.order-commands.v1` / `gateway.account-commands.v1`
 *   as `source` (unique per process: risk dedups on (source, account, seq), so two
 *   gateways under one name would drop each other's commands).
 * - Answers come back on the stages' event topics: an account command's by its
 *   `commandId` (numbered from a per-process base, so ids of other producers never
 *   match) and account; an order command's as order-completion.ts says. A command
 *   with no answer within `timeoutMs` rejects with `CoreTimeoutError` (the gateway:
 *   Binance -1007, send status unknown: the command may still apply later).
 * - `account()` asks the risk shard on `gateway.queries.v1`; the reply (on
 *   `gateway.query-replies.v1`, keyed by `source`) carries risk's report as JSON.
 * - Every event topic (matching's events and book deltas, risk's, the liquidation
 *   engine's, the index) and `gateway.order-commands.v1` (every gateway's orders with
 *   their client order ids) are read from the earliest retained offset on every
 *   start, whatever the group committed: the book, the insurance funds and the
 *   subscribers' read models are folds of the whole history, and a restarted process
 *   (same `source`) or one started later rebuilds them. `caughtUp()` is false until
 *   every record those topics held at the start is handled (`whenCaughtUp`).
 *   Only the query replies start at the end (they answer this process's own queries).
 * - Sequences and query numbers continue from a wall-clock base, so a restart under
 *   the same `source` is not taken by risk for a redelivery of its previous life.
 * - `subscribe` handlers see each event before the command it finishes resolves,
 *   so a read model fed by them already holds the order its caller looks up.
 *
 * Order commands' `riskEvents` hold only risk's refusal: settlements are published
 * after the book's events and reach subscribers on their own.
 */
import type { SpotMaxBorrow } from '@perpcore/margin';
import { type AssetSpec, createAssetSpec } from '@perpcore/domain';
import { type Bus, caughtUp, type ReplayLag, type Topic, Topics } from '@perpcore/bus';
import { captureGraph, type Frame, restoreGraph } from '@perpcore/snapshot';
import { defaultInsuranceFundSeedUnits, type VenueMarket } from '@perpcore/markets';
import { perpcore, SCHEMA_MAJOR_V1, sideToWire, type GatewayQueryV1, type GatewayReplyV1, type LiquidationEventV1, type MatchingCommandV1, type MatchingEventV1, type OracleEventV1, type RiskEventV1, type SpotCommandV1 } from '@perpcore/proto';
import { accountAnswer, marketAnswer } from './command-answers.js';
import type { SpotAccountReport, SpotOpenOrder, SpotOrderInput, SpotPairSpec, SpotPlacement, SpotPlaceResult, SpotResult } from '@perpcore/risk';
import { spotLedgerAssets, spotPairOf, spotPerpOf } from '../embedded-spot-margin.js';
import { ExchangeClientBase, NO_SPOT } from './exchange-client-base.js';
import { type AccountCommandBodies, CommandStamp } from './command-stamp.js';
import type { StressReport, StressRequest } from '@perpcore/risk';
import type { StressAnswer } from './stress-answer.js';
import type { PoolLiquidationCandidate } from './liquidation-candidates.js';
import { BookFold } from './book-fold.js';
import { InsuranceFundFold } from './insurance-fund-fold.js';
import { RedeliveryFilter } from './redelivery-filter.js';
import type {
  AccountCommandResult,
  AccountView,
  BookSnapshot,
  CancelAllResult,
  CommandRejection,
  ExchangeClient,
  InsuranceFundBalance,
  MarketCommandResult,
  OrderCommandResult,
  PlaceOrderRequest,
  SpotCommandAnswer,
  SpotDepth,
} from './exchange-client.js';
import { type OrderCommandKind, OrderCompletion } from './order-completion.js';

/**
 * The topics `connect` replays, in its subscription order: from their earliest
 * retained record, or from the offsets a restored snapshot includes (`importFolds`).
 */
export const KAFKA_CLIENT_REPLAYED_TOPICS: readonly string[] = Object.freeze([
  Topics.riskAccountEvents.name,
  Topics.riskMarketEvents.name,
  Topics.oracleIndexPrices.name,
  Topics.liquidationEvents.name,
  Topics.gatewayOrderCommands.name,
  Topics.matchingEvents.name,
  Topics.matchingMarketData.name,
]);

import SpotQueryKind = perpcore.gateway.v1.SpotQueryKindV1;
type SpotReplyV1 = perpcore.gateway.v1.SpotReplyV1;

function spotResult(r: SpotReplyV1 | null): SpotResult {
  return r === null ? NO_SPOT : r.ok ? { ok: true } : { ok: false, code: r.code };
}

function spotAnswer(r: SpotReplyV1 | null): SpotCommandAnswer {
  return r === null ? NO_SPOT : r.ok ? { ok: true, tranId: Number(r.tranId) } : { ok: false, code: r.code };
}

/** How long a query waits for its reply before it is asked again (the same seq: the first reply answers it, later ones find nothing pending). */
const QUERY_REASK_MS = 1_000;
const STRESS_REASK_MS = 5_000;

/** No answer from the stages in time: the command may or may not apply (Binance -1007). */
export class CoreTimeoutError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`no answer from the core within ${timeoutMs} ms to ${what}`);
    this.name = 'CoreTimeoutError';
  }
}

export interface KafkaClientOptions {
  readonly bus: Bus;
  readonly venue: readonly VenueMarket[];
  /** The producer name and consumer group; unique per process. */
  readonly source: string;
  /** How long a command or query may wait for its answer (default 10,000 ms). */
  readonly timeoutMs?: number;
  /** Each insurance fund's starting capital, settle units (default: the venue default, as the risk process). */
  readonly insuranceFundSeedUnits?: number;
  /**
   * The cluster runs the spot-margin process (cluster-spot.ts): spot commands go out on
   * `gateway.spot-commands.v1`, spot questions on `gateway.queries.v1`, both answered
   * by that stage on the replies topic. Without it every spot call answers SPOT_NOT_LISTED.
   */
  readonly spotStage?: boolean;
  /** The collateral assets the risk shard values beyond the settle asset (its lending contexts'; lending-contexts.ts `lendingCollateralAssets`). */
  readonly collateralAssets?: readonly AssetSpec[];
  nowNs(): number;
}

interface PendingAccount {
  readonly accountId: number;
  readonly commandId: number;
  /** The account's events since the command went out: its effects are the tail the answer's `firstEventSeq` starts. */
  readonly events: RiskEventV1[];
  resolve(r: AccountCommandResult): void;
}

interface PendingMarketCommand {
  readonly source: string;
  readonly seq: number;
  resolve(r: MarketCommandResult): void;
}

interface PendingQuery {
  resolve(reply: GatewayReplyV1): void;
}

export class KafkaExchangeClient extends ExchangeClientBase implements ExchangeClient {
  private readonly stamp: CommandStamp;
  private readonly timeoutMs: number;
  private readonly books: BookFold;
  private readonly completion = new OrderCompletion();
  private readonly accountPending = new Map<number, PendingAccount>();
  private readonly queryPending = new Map<number, PendingQuery>();
  /** market → the operator command waiting for matching's halted / resumed / refused answer. */
  private readonly marketPending = new Map<string, PendingMarketCommand>();
  private readonly funds: InsuranceFundFold;
  /** Per-process base: other producers number their account commands from 1. */
  private commandId: number;
  private querySeq: number;
  /** In an object of its own so that the folds' capture (`exportFolds`) holds it. */
  private readonly status = { haltReason: '' };
  private orderCommands = 0;
  private readonly copies = new RedeliveryFilter();
  private replayed = false;
  private lag: readonly ReplayLag[] = [];
  private replay: Promise<void> = Promise.resolve();
  /** The spot pair and ledger assets of the venue's BTC perp, when the cluster runs a spot stage. */
  private readonly spot: { readonly pair: SpotPairSpec; readonly assets: readonly AssetSpec[] } | undefined;

  private constructor(private readonly options: KafkaClientOptions) {
    super();
    // the base moves 1,000 per ms: a previous life of this source sent fewer than that many per ms on any stream
    const sequenceBase = Date.now() * 1_000; // < 2^53 until the year 2255
    this.stamp = new CommandStamp(options.source, () => options.nowNs(), sequenceBase);
    this.querySeq = sequenceBase;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.books = new BookFold(options.venue.map((m) => m.spec.symbol));
    this.funds = new InsuranceFundFold(options.venue, options.insuranceFundSeedUnits ?? defaultInsuranceFundSeedUnits);
    this.commandId = Date.now() * 1_000; // < 2^53 until the year 2255
    const perp = options.spotStage === true ? spotPerpOf(options.venue.map((m) => m.spec)) : undefined;
    this.spot = perp === undefined ? undefined : { pair: spotPairOf(perp).pair, assets: spotLedgerAssets(perp) };
  }

  /** A client connected at once (`connect`): for a caller whose handlers may miss the first events. */
  static async create(options: KafkaClientOptions): Promise<KafkaExchangeClient> {
    const client = KafkaExchangeClient.unconnected(options);
    await client.connect();
    return client;
  }

  /** A client not reading yet: subscribe every read model first, then `connect()`, so each sees the whole replay. */
  static unconnected(options: KafkaClientOptions): KafkaExchangeClient {
    return new KafkaExchangeClient(options);
  }

  /**
   * Subscribes to the stages' topics, each history from its earliest retained record;
   * call before the first command. Resolves once subscribed: the replay goes on
   * behind (`caughtUp()`, `whenCaughtUp()`), delivered to the handlers subscribed by then.
   */
  async connect(): Promise<void> {
    const { bus, source: groupId } = this.options;
    // a fresh group per start, as the shared registry's: no committed offset, so each topic is read from its earliest
    // retained record (a seek to 0 under the old group raced the first fetch from its committed offset)
    const replayGroupId = `${groupId}-replay-${Date.now().toString(36)}`;
    const replayed: Topic<unknown>[] = [];
    const fromEarliest = async <T>(topic: Topic<T>, handler: (value: T) => void) => {
      replayed.push(topic as Topic<unknown>);
      return bus.subscribe(topic, { groupId: replayGroupId, fromBeginning: true }, (m) => handler(m.value));
    };
    try {
      this.subscriptions.push(
        await bus.subscribe(Topics.gatewayQueryReplies, { groupId }, (m) => this.onReply(m.value)),
        await fromEarliest(Topics.riskAccountEvents, (e) => this.fresh('ra', `${e.source}|${e.market}|${e.accountId}`, e.seq) && this.onRisk(e)),
        await fromEarliest(Topics.riskMarketEvents, (e) => this.fresh('rm', `${e.source}|${e.market}|${e.accountId}`, e.seq) && this.onRisk(e)),
        await fromEarliest(Topics.oracleIndexPrices, (e) => this.fresh('o', `${e.source}|${e.symbol}`, e.seq) && this.onOracle(e)),
        await fromEarliest(Topics.liquidationEvents, (e) => this.fresh('l', `${e.source}|${e.market}|${e.accountId}`, e.seq) && this.onLiquidation(e)),
        // a copy of a command only notes a client order id again: no filter
        await fromEarliest(Topics.gatewayOrderCommands, (cmd) => this.onOrderCommand(cmd)),
        await fromEarliest(Topics.matchingEvents, (e) => this.fresh('me', e.market, e.seq) && this.onMatching(e)),
        // cluster matching moves book deltas (conflated, absolute level sizes) to the market-data topic
        await fromEarliest(Topics.matchingMarketData, (e) => this.fresh('md', e.market, e.seq) && this.onMatching(e)),
      );
    } catch (error) {
      await this.close();
      throw error;
    }
    const names = replayed.map((t) => t.name);
    if (names.join() !== KAFKA_CLIENT_REPLAYED_TOPICS.join()) throw new Error(`KAFKA_CLIENT_REPLAYED_TOPICS (${KAFKA_CLIENT_REPLAYED_TOPICS.join(', ')}) must list the replayed topics: ${names.join(', ')}`);
    this.replay = caughtUp(bus, replayGroupId, replayed, { onBehind: (behind) => (this.lag = behind) }).then(() => {
      this.replayed = true;
      this.lag = [];
    });
    // the failure reaches whoever awaits whenCaughtUp(); caughtUp() stays false
    this.replay.catch(() => undefined);
  }

  /**
   * The client's own folds of the replayed topics (books, insurance funds, the
   * redelivery filter's last sequences, the live orders cancel-all waits for, the
   * halt), for a snapshot taken between two messages beside the offsets they
   * include. Commands in flight are not in it: their callers are gone with the process.
   */
  exportFolds(): Frame {
    return captureGraph(this.foldRoot());
  }

  /** Overlays `exportFolds()` of a client of the same venue; call before `connect`. */
  importFolds(frame: Frame): void {
    if (this.subscriptions.length > 0) throw new Error('importFolds after connect: the folds would mix two histories');
    restoreGraph(this.foldRoot(), frame);
  }

  private foldRoot(): object {
    return { books: this.books, funds: this.funds, copies: this.copies, liveOrders: this.completion.liveOrders, status: this.status };
  }

  /** The at-least-once bus delivers a record again after a rebalance or a restart: each envelope reaches the folds once. */
  private fresh(topic: string, stream: string, seq: number): boolean {
    return this.copies.fresh(`${topic}|${stream}`, Number(seq));
  }

  /** Envelopes the bus delivered twice and the client dropped. */
  get redeliveriesDropped(): number {
    return this.copies.droppedCount;
  }

  /** True once every record the replayed topics held at the start has reached the handlers. */
  caughtUp(): boolean {
    return this.replayed;
  }

  whenCaughtUp(): Promise<void> {
    return this.replay;
  }

  /** While the replay is in: the partitions still behind their targets at the last comparison (empty once caught up). */
  replayLag(): readonly ReplayLag[] {
    return this.lag;
  }

  markets(): readonly VenueMarket[] {
    return this.options.venue;
  }

  ledgerAssets(): readonly AssetSpec[] {
    const settle = this.options.venue[0]?.spec;
    return [...(settle === undefined ? [] : [createAssetSpec(settle.settleAsset, settle.settleDecimals)]), ...(this.options.collateralAssets ?? [])];
  }

  /**
   * Order commands (place, cancel, amend, cancel-all) this client has published on
   * `gateway.order-commands.v1`: the cluster's reconciliation checks each gateway's
   * count against the commands of its source on the topic and what risk did with them.
   */
  get orderCommandsSent(): number {
    return this.orderCommands;
  }

  halted(): string {
    return this.status.haltReason;
  }

  nowNs(): number {
    return this.options.nowNs();
  }

  override spotAssets(): readonly AssetSpec[] {
    return this.spot === undefined ? [] : this.spot.assets;
  }

  override spotPairs(): readonly SpotPairSpec[] {
    return this.spot === undefined ? [] : [this.spot.pair];
  }

  override async spotDeposit(accountId: number, asset: string, amountUnits: number): Promise<SpotResult> {
    return spotResult(await this.spotCommand(`the spot deposit of account ${accountId}`, accountId, { command: 'deposit', deposit: { asset, amountUnits } }));
  }

  override async spotWithdraw(accountId: number, asset: string, amountUnits: number): Promise<SpotResult> {
    return spotResult(await this.spotCommand(`the spot withdrawal of account ${accountId}`, accountId, { command: 'withdraw', withdraw: { asset, amountUnits } }));
  }

  override async spotBorrow(accountId: number, asset: string, amountUnits: number): Promise<SpotCommandAnswer> {
    return spotAnswer(await this.spotCommand(`the spot borrow of account ${accountId}`, accountId, { command: 'borrow', borrow: { asset, amountUnits } }));
  }

  override async spotRepay(accountId: number, asset: string, amountUnits: number): Promise<SpotCommandAnswer> {
    return spotAnswer(await this.spotCommand(`the spot repay of account ${accountId}`, accountId, { command: 'repay', repay: { asset, amountUnits } }));
  }

  override async spotPlaceOrder(order: SpotOrderInput): Promise<SpotPlaceResult> {
    const { accountId, symbol, side, priceTicks, qtyLots, immediateOrCancel, autoBorrow, clientOrderId } = order;
    const placeOrder = { symbol, side: sideToWire(side), priceTicks, qtyLots, immediateOrCancel, autoBorrow, clientOrderId: clientOrderId ?? '' };
    const r = await this.spotCommand(`the spot order of account ${accountId}`, accountId, { command: 'placeOrder', placeOrder });
    return r === null ? NO_SPOT : r.ok ? { ok: true, placement: JSON.parse(r.json) as SpotPlacement } : { ok: false, code: r.code };
  }

  override async spotCancelOrder(accountId: number, orderId: number): Promise<SpotResult> {
    return spotResult(await this.spotCommand(`the spot cancel of order ${orderId}`, accountId, { command: 'cancelOrder', cancelOrder: { orderId } }));
  }

  override async spotCancelAll(accountId: number): Promise<SpotResult> {
    return spotResult(await this.spotCommand(`the spot cancel-all of account ${accountId}`, accountId, { command: 'cancelAll', cancelAll: {} }));
  }

  override async spotAccount(accountId: number): Promise<SpotAccountReport | null> {
    return (await this.spotQuery(`the spot account query for ${accountId}`, SpotQueryKind.SPOT_QUERY_KIND_ACCOUNT, accountId, '', 0)) as SpotAccountReport | null;
  }

  override async spotOpenOrders(accountId: number): Promise<readonly SpotOpenOrder[]> {
    return ((await this.spotQuery(`the spot open orders of ${accountId}`, SpotQueryKind.SPOT_QUERY_KIND_OPEN_ORDERS, accountId, '', 0)) ?? []) as SpotOpenOrder[];
  }

  override async spotDepth(symbol: string, levels: number): Promise<SpotDepth | null> {
    return (await this.spotQuery(`the spot depth of ${symbol}`, SpotQueryKind.SPOT_QUERY_KIND_DEPTH, 0, symbol, levels)) as SpotDepth | null;
  }

  override async spotIndexTicks(symbol: string): Promise<number | null> {
    return (await this.spotQuery(`the spot index of ${symbol}`, SpotQueryKind.SPOT_QUERY_KIND_INDEX, 0, symbol, 0)) as number | null;
  }

  override async spotMaxBorrowable(accountId: number, asset: string): Promise<SpotMaxBorrow> {
    return ((await this.spotQuery(`the spot max borrowable of ${accountId}`, SpotQueryKind.SPOT_QUERY_KIND_MAX_BORROWABLE, accountId, '', 0, asset)) ?? { amountUnits: 0, limitUnits: 0 }) as SpotMaxBorrow;
  }

  /**
   * One spot command, answered by the spot stage on the replies topic by its seq (from
   * the queries' counter). Sent once, never again: the stage drops a seq it has applied,
   * so a second copy would get no answer; no answer in time is CoreTimeoutError (the
   * command may still apply). Null when the cluster runs no spot stage.
   */
  private spotCommand(what: string, accountId: number, body: Partial<SpotCommandV1>): Promise<SpotReplyV1 | null> {
    if (this.spot === undefined) return Promise.resolve(null);
    const seq = ++this.querySeq;
    const command = { schemaMajor: SCHEMA_MAJOR_V1, seq, tsNs: this.nowNs(), source: this.options.source, accountId, ...body } as SpotCommandV1;
    return new Promise<SpotReplyV1 | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.queryPending.delete(seq);
        reject(new CoreTimeoutError(what, this.timeoutMs));
      }, this.timeoutMs);
      this.queryPending.set(seq, {
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.spot == null) reject(new Error(`${reply.source} answered ${what} with ${reply.reply ?? 'nothing'}`));
          else resolve(reply.spot);
        },
      });
      this.options.bus.publish(Topics.gatewaySpotCommands, command);
    });
  }

  /** A read-only spot question (asked again until answered, as every query); its answer's JSON, null without a spot stage. */
  private async spotQuery(what: string, kind: number, accountId: number, symbol: string, levels: number, asset = ''): Promise<unknown> {
    if (this.spot === undefined) return null;
    const reply = await this.query(what, { query: 'spot', spot: { kind, accountId, symbol, levels, asset } });
    const a = reply.spot;
    if (a == null) throw new Error(`${reply.source} answered ${what} with ${reply.reply ?? 'nothing'}`);
    if (!a.ok) throw new Error(`${reply.source} refused ${what}: ${a.code} ${a.message}`);
    return JSON.parse(a.json) as unknown;
  }

  placeOrder(order: PlaceOrderRequest): Promise<OrderCommandResult> {
    return this.orderCommand('place', order.orderId, () => this.stamp.place(order));
  }

  cancelOrder(accountId: number, market: string, orderId: number): Promise<OrderCommandResult> {
    return this.orderCommand('cancel', orderId, () => this.stamp.cancel(accountId, market, orderId));
  }

  amendOrder(accountId: number, market: string, orderId: number, priceTicks: number, qtyLots: number): Promise<OrderCommandResult> {
    return this.orderCommand('amend', orderId, () => this.stamp.amend(accountId, market, orderId, priceTicks, qtyLots));
  }

  cancelAll(accountId: number, market: string): Promise<CancelAllResult> {
    return new Promise((resolve, reject) => {
      const matching: MatchingEventV1[] = [];
      const pending = {
        accountId,
        market,
        waitingFor: this.completion.liveOrdersOf(accountId, market),
        matching,
        finish: (rejection: CommandRejection | null) => {
          clearTimeout(timer);
          resolve({ rejection, matchingEvents: matching });
        },
      };
      const timer = setTimeout(() => {
        this.completion.removeCancelAll(pending);
        reject(new CoreTimeoutError(`cancel-all of account ${accountId} in ${market}`, this.timeoutMs));
      }, this.timeoutMs);
      // registered before the publish: a bus may deliver the answers inside it
      this.completion.addCancelAll(pending);
      this.options.bus.publish(Topics.gatewayOrderCommands, this.stamp.cancelAll(accountId, market));
      this.orderCommands++;
    });
  }

  /** Folded from the liquidation stream's fund deltas (each carries the balance after), from the configured seed. */
  insuranceFunds(): readonly InsuranceFundBalance[] {
    return this.funds.balances();
  }

  async account(accountId: number): Promise<AccountView | null> {
    const reply = await this.query(`the account query for ${accountId}`, { query: 'account', account: { accountId } });
    const a = reply.account;
    if (a == null || !a.found) return null;
    const parsed = JSON.parse(a.reportJson) as Omit<AccountView, 'adlBuckets'> & { adlBuckets: [string, number][] };
    return { ...parsed, adlBuckets: new Map(parsed.adlBuckets) };
  }

  /** Asked of the risk shard as `GatewayQueryV1.stress` (tag 20), answered as `GatewayReplyV1.stress` (21). */
  async stress(request: StressRequest): Promise<StressAnswer> {
    // a stress query over a large shard takes up to a second or so to answer: re-asked less eagerly
    const reply = await this.query('the stress query', { query: 'stress', stress: { requestJson: JSON.stringify(request) } }, STRESS_REASK_MS);
    const a = reply.stress;
    if (a == null) throw new Error(`risk answered the stress query with ${reply.reply ?? 'nothing'}`);
    return a.ok ? { ok: true, report: JSON.parse(a.reportJson) as StressReport } : { ok: false, code: a.code, message: a.message };
  }

  /** Asked of the risk shard as `GatewayQueryV1.liquidation_candidates` (tag 22), answered as tag 23. */
  async liquidationCandidates(): Promise<readonly PoolLiquidationCandidate[]> {
    const reply = await this.query('the liquidation candidates query', { query: 'liquidationCandidates', liquidationCandidates: {} });
    const a = reply.liquidationCandidates;
    if (a == null) throw new Error(`risk answered the liquidation candidates query with ${reply.reply ?? 'nothing'}`);
    return JSON.parse(a.candidatesJson) as PoolLiquidationCandidate[];
  }

  /** One read-only query to the risk shard, answered by its seq on the replies topic. */
  private query(what: string, body: Partial<GatewayQueryV1>, reaskMs = QUERY_REASK_MS): Promise<GatewayReplyV1> {
    const seq = ++this.querySeq;
    const query = { schemaMajor: SCHEMA_MAJOR_V1, seq, tsNs: this.nowNs(), source: this.options.source, ...body } as GatewayQueryV1;
    return new Promise<GatewayReplyV1>((resolve, reject) => {
      // a query is read-only, so it is asked again until answered: a reply published before this process's
      // replies consumer found its start (a new group starts at the end) is lost, and a later one is not
      const again = setInterval(() => this.options.bus.publish(Topics.gatewayQueries, query), reaskMs);
      const timer = setTimeout(() => {
        clearInterval(again);
        this.queryPending.delete(seq);
        reject(new CoreTimeoutError(what, this.timeoutMs));
      }, this.timeoutMs);
      this.queryPending.set(seq, {
        resolve: (r) => {
          clearTimeout(timer);
          clearInterval(again);
          resolve(r);
        },
      });
      this.options.bus.publish(Topics.gatewayQueries, query);
    });
  }

  book(market: string, depth: number): Promise<BookSnapshot | null> {
    return Promise.resolve(this.books.snapshot(market, depth));
  }

  protected marketCommand(market: string, fill: (cmd: MatchingCommandV1) => void): Promise<MarketCommandResult> {
    if (this.marketPending.has(market)) return Promise.reject(new Error(`an operator command for ${market} is still waiting for matching's answer`));
    const cmd = this.stamp.marketCommand(market, fill);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.marketPending.delete(market);
        reject(new CoreTimeoutError(`${cmd.command} of ${market}`, this.timeoutMs));
      }, this.timeoutMs);
      this.marketPending.set(market, {
        source: cmd.source,
        seq: Number(cmd.seq),
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
      this.options.bus.publish(Topics.matchingCommands, cmd);
    });
  }

  private answerMarketCommand(e: MatchingEventV1): void {
    const p = this.marketPending.get(e.market);
    if (p === undefined || e.inputSource !== p.source || Number(e.inputSeq) !== p.seq) return;
    if (e.event !== 'marketHalted' && e.event !== 'marketResumed' && e.event !== 'rejected') return;
    this.marketPending.delete(e.market);
    p.resolve(marketAnswer(e, [e]));
  }

  private orderCommand(kind: OrderCommandKind, orderId: number, build: () => ReturnType<CommandStamp['place']>): Promise<OrderCommandResult> {
    return new Promise((resolve, reject) => {
      const matching: MatchingEventV1[] = [];
      const risk: RiskEventV1[] = [];
      const timer = setTimeout(() => {
        this.completion.remove(orderId);
        reject(new CoreTimeoutError(`${kind} of order ${orderId}`, this.timeoutMs));
      }, this.timeoutMs);
      this.completion.add({
        kind,
        orderId,
        matching,
        risk,
        restingInput: null,
        finish: (rejection) => {
          clearTimeout(timer);
          resolve({ orderId, rejection, matchingEvents: matching, riskEvents: risk });
        },
      });
      this.options.bus.publish(Topics.gatewayOrderCommands, build());
      this.orderCommands++;
    });
  }

  protected accountCommand<K extends keyof AccountCommandBodies>(accountId: number, kind: K, body: AccountCommandBodies[K]): Promise<AccountCommandResult> {
    const commandId = ++this.commandId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.accountPending.delete(commandId);
        reject(new CoreTimeoutError(`${kind} for account ${accountId}`, this.timeoutMs));
      }, this.timeoutMs);
      this.accountPending.set(commandId, {
        accountId,
        commandId,
        events: [],
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
      this.options.bus.publish(Topics.gatewayAccountCommands, this.stamp.account(accountId, kind, body, commandId));
    });
  }

  private onMatching(event: MatchingEventV1): void {
    this.books.apply(event);
    for (const h of this.handlers) h.onMatchingEvent?.(event);
    this.completion.onMatchingEvent(event);
    if (this.marketPending.size > 0) this.answerMarketCommand(event);
  }

  private onRisk(event: RiskEventV1): void {
    if (event.event === 'stageHalted' && event.stageHalted != null) this.status.haltReason = event.stageHalted.reason || 'risk stage halted';
    for (const h of this.handlers) h.onRiskEvent?.(event);
    this.completion.onRiskEvent(event);
    if (this.accountPending.size === 0) return;
    for (const pending of this.accountPending.values()) if (pending.accountId === event.accountId) pending.events.push(event);
    const id = event.event === 'commandAccepted' ? event.commandAccepted?.commandId : event.event === 'commandRejected' ? event.commandRejected?.commandId : undefined;
    if (id === undefined) return;
    const p = this.accountPending.get(Number(id));
    if (p === undefined || p.accountId !== event.accountId) return;
    // risk publishes a command's events in one run on the account's partition, right before its answer
    const stated = Number(event.commandAccepted?.firstEventSeq ?? 0);
    const first = stated > 0 ? stated : Number(event.seq);
    const answer = accountAnswer(event, p.commandId, p.events.filter((e) => e.source === event.source && Number(e.seq) >= first));
    if (answer === null) return;
    this.accountPending.delete(p.commandId);
    p.resolve(answer);
  }

  private onReply(reply: GatewayReplyV1): void {
    if (reply.replyTo !== this.options.source) return;
    // the spot-margin stage keeps its own ledger: its halt refuses spot commands (RISK_SPOT_STAGE_HALTED), not the perps
    if (reply.halted !== '' && reply.reply !== 'spot') this.status.haltReason = reply.halted;
    const p = this.queryPending.get(Number(reply.seq));
    if (p === undefined) return;
    this.queryPending.delete(Number(reply.seq));
    p.resolve(reply);
  }

  private onOrderCommand(cmd: MatchingCommandV1): void {
    for (const h of this.handlers) h.onOrderCommand?.(cmd);
  }

  private onOracle(event: OracleEventV1): void {
    for (const h of this.handlers) h.onOracleEvent?.(event);
  }

  private onLiquidation(event: LiquidationEventV1): void {
    this.funds.apply(event);
    for (const h of this.handlers) h.onLiquidationEvent?.(event);
  }
}
