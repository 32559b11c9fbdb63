/**
 * What went through each stage of an embedded run, counted from the events the
 * stages publish (the same events any downstream consumer sees), for the progress
 * line and the closing summary.
 */
import type { LiquidationEventV1, MatchingEventV1, RiskEventV1 } from '@perpcore/proto';
import { indexRejectReasonName } from '@perpcore/risk';

export class StageCounters {
  matchingEvents = 0;
  fills = 0;
  liquidationFills = 0;
  matchingRejects = 0;
  riskOrderRejects = 0;
  accountCommandRejects = 0;
  positionsSettled = 0;
  markPrices = 0;
  fundingSettlements = 0;
  marginCalls = 0;
  marginCallsCleared = 0;
  liquidationsTriggered = 0;
  liquidationSteps = 0;
  insuranceTakeovers = 0;
  backstopTakeovers = 0;
  deleveragedLegs = 0;
  liquidationsRestored = 0;
  liquidationsClosed = 0;
  liquidationsAborted = 0;
  /** Index prices risk refused (stale, invalid, unlisted), in total and per reason. */
  indexPricesRejected = 0;
  readonly indexRejectReasons = new Map<string, number>();
  clearanceFeesUnits = 0n;
  readonly rejectCodes = new Map<string, number>();
  /** Lending pool (defi-liquidation): HF transitions and the external liquidators' calls that went through. */
  poolBelowOne = 0;
  poolRecovered = 0;
  poolLiquidations = 0;
  readonly poolLiquidationsBy = new Map<number, number>();
  poolDebtRepaidUnits = 0n;
  poolCollateralSeizedUnits = 0n;
  poolProtocolFeesUnits = 0n;

  onMatchingEvent(e: MatchingEventV1): void {
    this.matchingEvents++;
    if (e.event === 'filled') {
      this.fills++;
      if (e.filled?.liquidationId) this.liquidationFills++;
    } else if (e.event === 'rejected') {
      this.matchingRejects++;
      this.countCode(e.rejected?.code ?? '?');
    }
  }

  onRiskEvent(e: RiskEventV1): void {
    switch (e.event) {
      case 'orderRejected':
        this.riskOrderRejects++;
        this.countCode(e.orderRejected?.code ?? '?');
        return;
      case 'commandRejected':
        this.accountCommandRejects++;
        this.countCode(e.commandRejected?.code ?? '?');
        return;
      case 'positionSettled':
        this.positionsSettled++;
        return;
      case 'markPrice':
        this.markPrices++;
        return;
      case 'fundingSettled':
        this.fundingSettlements++;
        return;
      case 'marginCall':
        this.marginCalls++;
        return;
      case 'marginCallCleared':
        this.marginCallsCleared++;
        return;
      case 'liquidationTriggered':
        this.liquidationsTriggered++;
        return;
      case 'healthFactorBelowOne':
        this.poolBelowOne++;
        return;
      case 'healthFactorRecovered':
        this.poolRecovered++;
        return;
      case 'poolLiquidated': {
        const l = e.poolLiquidated!;
        this.poolLiquidations++;
        this.poolLiquidationsBy.set(l.liquidatorAccountId, (this.poolLiquidationsBy.get(l.liquidatorAccountId) ?? 0) + 1);
        this.poolDebtRepaidUnits += BigInt(l.debtRepaidUnits);
        this.poolCollateralSeizedUnits += BigInt(l.collateralSeizedUnits);
        this.poolProtocolFeesUnits += BigInt(l.protocolFeeUnits);
        return;
      }
      case 'indexPriceRejected': {
        this.indexPricesRejected++;
        const reason = indexRejectReasonName(e.indexPriceRejected?.reason ?? 0);
        this.indexRejectReasons.set(reason, (this.indexRejectReasons.get(reason) ?? 0) + 1);
        return;
      }
      default:
    }
  }

  onLiquidationEvent(e: LiquidationEventV1): void {
    switch (e.event) {
      case 'stepOrdered':
        this.liquidationSteps++;
        return;
      case 'fill':
        this.clearanceFeesUnits += BigInt(e.fill?.clearanceFeeUnits ?? 0);
        return;
      case 'insuranceTakeover':
        this.insuranceTakeovers++;
        return;
      case 'backstopTakeover':
        this.backstopTakeovers++;
        return;
      case 'positionDeleveraged':
        this.deleveragedLegs++;
        return;
      case 'completed':
        if (e.completed?.outcome === 1) this.liquidationsRestored++;
        else this.liquidationsClosed++;
        return;
      case 'aborted':
        this.liquidationsAborted++;
        return;
      default:
    }
  }

  private countCode(code: string): void {
    this.rejectCodes.set(code, (this.rejectCodes.get(code) ?? 0) + 1);
  }
}
