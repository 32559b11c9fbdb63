/**
 * Adapts the risk engine's ledger to the ports the liquidation engine declares
 * (`RiskReader`, `LiquidationLedger`). The liquidation engine never sees the risk
 * engine; the risk engine never sees the ladder. `satisfies` checks both at compile
 * time.
 *
 * Live level: the risk stage remembers a scope as LIQUIDATING until the ladder
 * releases it; the reader reports the *live* classification at the current marks,
 * which is what the ladder's re-checks need (RISK-SPEC §8.2, §8.6), and, apart
 * from it, the liquidation id risk holds the scope in (`heldLiquidationId`), which
 * is what tells a live trigger from a stale or bogus one.
 *
 * Completion (§8.9): a flat scope's negative balance is covered by collateral
 * conversion (cross) and then the fund. A positive leftover is swept to the fund
 * only when it is rounding residue — at most one unit per bankruptcy-priced leg
 * (each BPamount rounds up by less than a unit); a larger leftover is surplus the
 * book paid above BP, and §8.5 leaves it with the account.
 *
 * Halt guard (services/risk stage-halt.ts): the ladder's mutations go through
 * `guarded`. A reject (RiskRejection, DomainError: raised by the ledger's checks,
 * before it writes) reaches the ladder as before; any other error halts the risk
 * stage, and from then on every mutation is refused with a neutral answer (no fee
 * charged, no backstop takeover, takeover refused with RISK_STAGE_HALTED, no ADL legs, nothing swept or
 * covered, no release) and the reader reports no scope, so the ladder winds down
 * without writing and without throwing into the bus (which would re-deliver).
 */
import { type MarketSpec, Side } from '@perpcore/domain';
import type { BackstopResult, DeleverageLeg, DeleverageResult, LiquidationLedger, RiskReader, ScopeCheck, ScopeCompletion, ScopeHealth, ScopeRef, TakeoverResult } from '@perpcore/liquidation';
import { classifyMarginLevel, LevelBasis, MarginState, marginLevelE8, type MarketRiskParams } from '@perpcore/margin';
import { DomainError } from '@perpcore/domain';
import { HaltInputKind, type LedgerScopeLevel, type RiskEngine, RiskRejection, type ScopeRef as RiskScopeRef } from '@perpcore/risk';

export interface RiskLiquidationPorts {
  reader: RiskReader;
  ledger: LiquidationLedger;
}

interface MarketEntry {
  spec: MarketSpec;
  risk: MarketRiskParams;
}

export function riskLiquidationPorts(engine: RiskEngine, markets: readonly MarketEntry[]): RiskLiquidationPorts {
  const bySymbol = new Map(markets.map((m) => [m.spec.symbol, m]));
  const entry = (symbol: string): MarketEntry => {
    const m = bySymbol.get(symbol);
    if (m === undefined) throw new Error(`market ${symbol} is not listed`);
    return m;
  };
  const toRisk = (scope: ScopeRef): RiskScopeRef => (scope.isolatedMarket === '' ? { accountId: scope.accountId } : { accountId: scope.accountId, isolatedMarket: scope.isolatedMarket });
  /** Runs a ledger mutation unless the stage is halted; an internal error halts it (see the module doc). */
  function guarded<T>(refused: () => T, scope: ScopeRef, market: string, tsNs: number, mutate: () => T): T {
    if (engine.halted) {
      engine.halt.eventsDropped++;
      return refused();
    }
    try {
      return mutate();
    } catch (error) {
      if (error instanceof RiskRejection || error instanceof DomainError) throw error;
      engine.haltOnInternalError(error, { kind: HaltInputKind.LiquidationLedger, source: '', seq: 0, market, accountId: scope.accountId, tsNs });
      return refused();
    }
  }
  const HALTED_DELEVERAGE: DeleverageResult = { bankruptcyPriceTicks: 0, fillPriceTicks: 0, bankruptcyAmountUnits: 0, tickDifferenceUnits: 0, shortfallUnits: 0, fundBalanceAfterUnits: 0n, legs: [] };
  // bankruptcy-priced legs per liquidation in flight (the residue rule below): a field of the ledger port, not a
  // closure variable, so the liquidation stage's snapshot (which walks its ports) carries it
  const legsByLiquidation = new Map<number, number>();
  const countLeg = (liquidationId: number) => legsByLiquidation.set(liquidationId, (legsByLiquidation.get(liquidationId) ?? 0) + 1);

  const healthOf = (s: LedgerScopeLevel): ScopeHealth => {
    const levels = { levelBasis: LevelBasis.MM, marginCallLevelE8: s.marginCallLevelE8, liquidationLevelE8: s.liquidationLevelE8, takeoverLevelE8: null };
    return {
      state: classifyMarginLevel(s.equityUnits, s.basisUnits, levels),
      equityUnits: s.equityUnits,
      basisUnits: s.basisUnits,
      levelE8: marginLevelE8(s.equityUnits, s.basisUnits),
      belowTakeover: s.atOrBelowTakeover,
      heldLiquidationId: s.state === MarginState.Liquidating ? s.liquidationId : 0,
    };
  };
  const NO_SCOPE: ScopeCheck = { positions: [], health: undefined };

  const reader = {
    scopeHealth(scope: ScopeRef): ScopeHealth | undefined {
      if (engine.halted) return undefined;
      let s;
      try {
        s = engine.ledger.readScopeLevel(toRisk(scope));
      } catch {
        return undefined;
      }
      return healthOf(s);
    },
    scopeCheck(scope: ScopeRef): ScopeCheck {
      if (engine.halted) return NO_SCOPE;
      let s;
      try {
        s = engine.ledger.readScope(toRisk(scope));
      } catch {
        return NO_SCOPE;
      }
      return { positions: s.positions.map((p) => ({ market: p.market, qtyLots: p.qtyLots, maintenanceUnits: p.maintenanceUnits, markSubticks: p.markSubticks })), health: healthOf(s) };
    },
    bankruptcy: (scope: ScopeRef, market: string, closeLots: number) => engine.ledger.bankruptcyOf(toRisk(scope), market, closeLots),
    marketSpec: (market: string) => entry(market).spec,
    marketParams: (market: string) => entry(market).risk,
    adlIndicator: (market: string) => engine.ledger.adlIndicator(market),
  } satisfies RiskReader;

  const ledger = {
    legsByLiquidation,
    chargeClearanceFee(scope: ScopeRef, market: string, amountUnits: number, liquidationId: number, tsNs: number): bigint {
      const fundBalance = () => BigInt(engine.ledger.fundBalanceUnits(entry(market).risk.insuranceFundId));
      return guarded(fundBalance, scope, market, tsNs, () => {
        engine.ledger.chargeClearanceFee(toRisk(scope), market, amountUnits, { liquidationId, tsNs });
        return fundBalance();
      });
    },
    backstopTakeover(scope: ScopeRef, market: string, liquidationId: number, tsNs: number): BackstopResult {
      return guarded((): BackstopResult => ({ ok: false, declined: [] }), scope, market, tsNs, () => backstop(scope, market, liquidationId, tsNs));
    },
    insuranceTakeover(scope: ScopeRef, market: string, liquidationId: number, tsNs: number): TakeoverResult {
      return guarded((): TakeoverResult => ({ ok: false, reason: 'RISK_STAGE_HALTED' }), scope, market, tsNs, () => takeover(scope, market, liquidationId, tsNs));
    },
    deleverage(scope: ScopeRef, market: string, liquidationId: number, tsNs: number, stepInFlight: () => readonly ScopeRef[] = () => []): DeleverageResult {
      return guarded((): DeleverageResult => HALTED_DELEVERAGE, scope, market, tsNs, () => deleverage(scope, market, liquidationId, tsNs, stepInFlight));
    },
    completeScope(scope: ScopeRef, liquidationId: number, tsNs: number): ScopeCompletion {
      return guarded((): ScopeCompletion => ({ residueSweptUnits: 0, deficitCoveredUnits: 0, uncoveredDeficitUnits: 0 }), scope, scope.isolatedMarket, tsNs, () => complete(scope, liquidationId, tsNs));
    },
    releaseScope(scope: ScopeRef, tsNs: number): void {
      guarded(() => undefined, scope, scope.isolatedMarket, tsNs, () => engine.ledger.releaseLiquidation(toRisk(scope), tsNs));
    },
  } satisfies LiquidationLedger & { readonly legsByLiquidation: Map<number, number> };

  function takeover(scope: ScopeRef, market: string, liquidationId: number, tsNs: number): TakeoverResult {
    const refusal = engine.ledger.insuranceTakeoverRefusal(toRisk(scope), market);
    if (refusal !== null) return { ok: false, reason: refusal };
    const r = engine.ledger.applyInsuranceTakeover(toRisk(scope), market, { liquidationId, tsNs });
    countLeg(liquidationId);
    return { ok: true, ...r, fundBalanceAfterUnits: BigInt(engine.ledger.fundBalanceUnits(entry(market).risk.insuranceFundId)) };
  }

  function backstop(scope: ScopeRef, market: string, liquidationId: number, tsNs: number): BackstopResult {
    const r = engine.ledger.applyBackstopTakeover(toRisk(scope), market, { liquidationId, tsNs });
    if (r.taken === null) return { ok: false, declined: r.declined };
    countLeg(liquidationId);
    return { ok: true, ...r.taken, declined: r.declined, fundBalanceAfterUnits: BigInt(engine.ledger.fundBalanceUnits(entry(market).risk.insuranceFundId)) };
  }

  function deleverage(scope: ScopeRef, market: string, liquidationId: number, tsNs: number, stepInFlight: () => readonly ScopeRef[]): DeleverageResult {
    const r = engine.ledger.applyDeleverage(toRisk(scope), market, { liquidationId, tsNs }, () => stepInFlight().map(toRisk));
    for (let i = 0; i < r.legs.length; i++) countLeg(liquidationId);
    const legs = r.legs.map((l): DeleverageLeg => ({ ...l, counterpartySide: l.counterpartyPositionLots > 0 ? Side.Buy : Side.Sell }));
    return { ...r, legs, fundBalanceAfterUnits: BigInt(engine.ledger.fundBalanceUnits(entry(market).risk.insuranceFundId)) };
  }

  function complete(scope: ScopeRef, liquidationId: number, tsNs: number): ScopeCompletion {
    const risk = toRisk(scope);
    const ctx = { liquidationId, tsNs };
    const fundId = scope.isolatedMarket === '' ? 'shared' : entry(scope.isolatedMarket).risk.insuranceFundId;
    const balance = engine.ledger.settleBalanceUnits(risk);
    let residueSweptUnits = 0;
    let deficitCoveredUnits = 0;
    if (balance > 0 && balance <= (legsByLiquidation.get(liquidationId) ?? 0)) {
      residueSweptUnits = engine.ledger.sweepResidue(risk, ctx, fundId);
    } else if (balance < 0) {
      if (scope.isolatedMarket === '') deficitCoveredUnits += engine.ledger.convertCollateralOnDeficit(scope.accountId, ctx, fundId);
      deficitCoveredUnits += engine.ledger.coverDeficit(risk, ctx, fundId);
    }
    legsByLiquidation.delete(liquidationId);
    const uncoveredDeficitUnits = Math.max(0, -engine.ledger.settleBalanceUnits(risk));
    return { residueSweptUnits, deficitCoveredUnits, uncoveredDeficitUnits };
  }

  return { reader, ledger };
}
