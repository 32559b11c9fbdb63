/**
 * `OperatorCorePort` over a running pipeline's bus: account commands on
 * `gateway.account-commands.v1` (answered by the risk stage's
 * `commandAccepted` / `commandRejected`, matched by account and command id) and
 * market halts on `matching.commands.v1` (answered by `marketHalted` /
 * `marketResumed` / `rejected`, matched by the event's input source and seq).
 * Works on a synchronous bus (embedded: the answer arrives during publish) and an
 * asynchronous one alike; an answer that never comes is a timeout, not a guess.
 *
 * Command ids start at 2^45 so they never meet the trading gateway's ids on the
 * same account stream.
 */
import { type Bus, type Subscription, Topics } from '@perpcore/bus';
import type { AssetSpec } from '@perpcore/domain';
import { SCHEMA_MAJOR_V1, type AccountCommandV1, type MatchingCommandV1, type MatchingEventV1, type RiskEventV1 } from '@perpcore/proto';
import type { CoreAnswer, InsuranceFundView, OperatorCorePort } from './operator-core-port.js';

const FIRST_COMMAND_ID = 2 ** 45;

export interface PipelineOperatorCoreDeps {
  readonly bus: Bus;
  readonly assets: readonly AssetSpec[];
  readonly markets: readonly string[];
  /** The risk stage's funds, read from its state (embedded: the engine). */
  readonly insuranceFunds: () => readonly InsuranceFundView[];
  /** Producer name on the envelopes; one per gateway instance. */
  readonly source?: string;
  readonly answerTimeoutMs?: number;
  readonly nowNs?: () => number;
}

export class PipelineOperatorCore implements OperatorCorePort {
  readonly assets: readonly AssetSpec[];
  readonly markets: readonly string[];
  private readonly source: string;
  private readonly pending = new Map<string, (answer: CoreAnswer) => void>();
  private readonly subscriptions: Subscription[] = [];
  private commandId = FIRST_COMMAND_ID;
  private readonly accountSeq = new Map<number, number>();
  private readonly marketSeq = new Map<string, number>();

  private constructor(private readonly deps: PipelineOperatorCoreDeps) {
    this.assets = deps.assets;
    this.markets = deps.markets;
    this.source = deps.source ?? 'admin-0';
  }

  static async create(deps: PipelineOperatorCoreDeps): Promise<PipelineOperatorCore> {
    const core = new PipelineOperatorCore(deps);
    const group = `${core.source}-answers`;
    core.subscriptions.push(await deps.bus.subscribe(Topics.riskAccountEvents, { groupId: group }, (m) => core.onRiskEvent(m.value)));
    core.subscriptions.push(await deps.bus.subscribe(Topics.matchingEvents, { groupId: group }, (m) => core.onMatchingEvent(m.value)));
    return core;
  }

  transfer(kind: 'deposit' | 'withdraw', accountId: number, asset: string, amountUnits: number): Promise<CoreAnswer> {
    return this.accountCommand(accountId, (cmd) => {
      cmd.command = kind;
      cmd[kind] = { asset, amountUnits };
    });
  }

  setKillSwitch(accountId: number, engaged: boolean): Promise<CoreAnswer> {
    return this.accountCommand(accountId, (cmd) => {
      cmd.command = 'setKillSwitch';
      cmd.setKillSwitch = { engaged };
    });
  }

  haltMarket(market: string, reason: string): Promise<CoreAnswer> {
    return this.marketCommand(market, (cmd) => {
      cmd.command = 'haltMarket';
      cmd.haltMarket = { reason };
    });
  }

  resumeMarket(market: string): Promise<CoreAnswer> {
    return this.marketCommand(market, (cmd) => {
      cmd.command = 'resumeMarket';
      cmd.resumeMarket = {};
    });
  }

  insuranceFunds(): readonly InsuranceFundView[] {
    return this.deps.insuranceFunds();
  }

  async close(): Promise<void> {
    for (const s of this.subscriptions) await s.close();
    for (const resolve of this.pending.values()) resolve({ ok: false, code: 'ADMIN_CORE_CLOSED', message: 'the gateway is shutting down' });
    this.pending.clear();
  }

  private accountCommand(accountId: number, fill: (cmd: AccountCommandV1) => void): Promise<CoreAnswer> {
    const seq = (this.accountSeq.get(accountId) ?? 0) + 1;
    this.accountSeq.set(accountId, seq);
    const commandId = this.commandId++;
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, accountId, seq, tsNs: this.nowNs(), source: this.source, commandId } as AccountCommandV1;
    fill(cmd);
    return this.await(`a:${accountId}:${commandId}`, () => this.deps.bus.publish(Topics.gatewayAccountCommands, cmd));
  }

  private marketCommand(market: string, fill: (cmd: MatchingCommandV1) => void): Promise<CoreAnswer> {
    const seq = (this.marketSeq.get(market) ?? 0) + 1;
    this.marketSeq.set(market, seq);
    const cmd = { schemaMajor: SCHEMA_MAJOR_V1, market, seq, tsNs: this.nowNs(), source: this.source } as MatchingCommandV1;
    fill(cmd);
    return this.await(`m:${market}:${seq}`, () => this.deps.bus.publish(Topics.matchingCommands, cmd));
  }

  private await(key: string, publish: () => void): Promise<CoreAnswer> {
    return new Promise<CoreAnswer>((resolve) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(key)) resolve({ ok: false, code: 'ADMIN_CORE_TIMEOUT', message: 'the core did not answer in time; the command may still apply' });
      }, this.deps.answerTimeoutMs ?? 10_000);
      timer.unref();
      this.pending.set(key, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      publish();
    });
  }

  private settle(key: string, answer: CoreAnswer): void {
    const resolve = this.pending.get(key);
    if (resolve === undefined) return;
    this.pending.delete(key);
    resolve(answer);
  }

  private onRiskEvent(e: RiskEventV1): void {
    if (this.pending.size === 0) return;
    if (e.event === 'commandAccepted' && e.commandAccepted != null) {
      const a = e.commandAccepted;
      this.settle(`a:${e.accountId}:${Number(a.commandId)}`, { ok: true, detail: a.balanceAfterUnits === '' ? {} : { asset: a.asset, balanceAfterUnits: a.balanceAfterUnits } });
    } else if (e.event === 'commandRejected' && e.commandRejected != null) {
      const r = e.commandRejected;
      this.settle(`a:${e.accountId}:${Number(r.commandId)}`, { ok: false, code: r.code, message: r.message });
    }
  }

  private onMatchingEvent(e: MatchingEventV1): void {
    if (this.pending.size === 0 || e.inputSource !== this.source) return;
    const key = `m:${e.market}:${Number(e.inputSeq)}`;
    if (e.event === 'marketHalted' || e.event === 'marketResumed') this.settle(key, { ok: true });
    else if (e.event === 'rejected' && e.rejected != null) this.settle(key, { ok: false, code: e.rejected.code, message: e.rejected.message });
  }

  private nowNs(): number {
    return this.deps.nowNs?.() ?? Date.now() * 1_000_000;
  }
}
