/** The closing summary of a run: what went through each stage, how fast, and whether the books balance. */
import { formatScaled } from '@perpcore/domain';
import type { StageCounters } from './stage-counters.js';
import type { SpotMarginFigures } from './embedded-spot-margin.js';

export interface RunFigures {
  elapsedS: number;
  simulatedS: number;
  ordersSent: number;
  matchingCommands: number;
  restingOrders: number;
  counters: StageCounters;
  insuranceFundUnits: number;
  /** Wallet plus the UPnL at mark of the positions it took over. */
  insuranceFundEquityUnits: number;
  insuranceFundSeedUnits: number;
  /** '' while the risk stage runs, else why it halted (services/risk stage-halt.ts). */
  riskHalted: string;
  conservationOk: boolean;
  conservationProblems: readonly string[];
  openInterest: readonly { market: string; longLots: number; shortLots: number }[];
  /** Crypto-backed loans (null when off). */
  loans?: LoanFigures | null;
  stateHash: string;
  /** The spot-margin market's figures (embedded-spot-margin.ts), null when it does not run. */
  spotMargin?: SpotMarginFigures | null;
  /** The lending pool: positions now and below HF 1 now (null without a pool). */
  pool: { positions: number; belowOneNow: number; interestSettledUnits: bigint } | null;
}

export interface LoanFigures {
  borrowers: number;
  opened: number;
  open: number;
  marginCalls: number;
  liquidations: number;
  outstandingUnits: number;
  interestPaidUnits: bigint;
  interestOwedUnits: bigint;
  feesUnits: bigint;
  writtenOffUnits: bigint;
}

const n = (v: number) => v.toLocaleString('en-US');
const perS = (v: number, s: number) => `${n(Math.round(v / Math.max(s, 1e-9)))}/s`;
const usdt = (units: number | bigint) => `${formatScaled(units, 6)} USDT`;

export function formatSummary(f: RunFigures): string {
  const c = f.counters;
  const rows: [string, string, string][] = [
    ['orders offered (gateway)', n(f.ordersSent), perS(f.ordersSent, f.elapsedS)],
    ['  rejected pre-trade (risk)', n(c.riskOrderRejects), ''],
    ['commands matched (matching)', n(f.matchingCommands), perS(f.matchingCommands, f.elapsedS)],
    ['  rejected by matching', n(c.matchingRejects), ''],
    ['fills', n(c.fills), perS(c.fills, f.elapsedS)],
    ['fill legs settled (risk)', n(c.positionsSettled), perS(c.positionsSettled, f.elapsedS)],
    ['resting orders at end', n(f.restingOrders), ''],
    ['mark prices / funding settlements', `${n(c.markPrices)} / ${n(c.fundingSettlements)}`, ''],
    ['index prices refused (risk)', n(c.indexPricesRejected), [...c.indexRejectReasons.entries()].map(([reason, count]) => `${reason} ${n(count)}`).join(', ')],
    ['margin calls (cleared)', `${n(c.marginCalls)} (${n(c.marginCallsCleared)})`, ''],
    ['liquidations triggered', n(c.liquidationsTriggered), ''],
    ['  restored / closed / aborted', `${n(c.liquidationsRestored)} / ${n(c.liquidationsClosed)} / ${n(c.liquidationsAborted)}`, ''],
    ['  IOC steps / liquidation fills', `${n(c.liquidationSteps)} / ${n(c.liquidationFills)}`, ''],
    ['  backstop / insurance takeovers / ADL legs', `${n(c.backstopTakeovers)} / ${n(c.insuranceTakeovers)} / ${n(c.deleveragedLegs)}`, ''],
    ['  clearance fees to the fund', usdt(c.clearanceFeesUnits), ''],
    ['insurance fund wallet / equity at mark', `${usdt(f.insuranceFundUnits)} / ${usdt(f.insuranceFundEquityUnits)}`, `seeded ${usdt(f.insuranceFundSeedUnits)}`],
  ];
  if (f.loans != null) {
    const l = f.loans;
    rows.push(['loans opened / open (borrowers)', `${n(l.opened)} / ${n(l.open)}`, `${n(l.borrowers)} borrowers`]);
    rows.push(['  loan calls / liquidations', `${n(l.marginCalls)} / ${n(l.liquidations)}`, `fees ${usdt(l.feesUnits)}, written off ${usdt(l.writtenOffUnits)}`]);
    rows.push(['  principal outstanding', usdt(l.outstandingUnits), `interest paid ${usdt(l.interestPaidUnits)}, owed ${usdt(l.interestOwedUnits)}`]);
  }
  if (f.pool !== null) {
    // DeFi-style lending pool: liquidated only by external liquidators (the simulated bot), never by the venue
    const by = [...c.poolLiquidationsBy.entries()].map(([id, count]) => `account ${id}: ${n(count)}`).join(', ');
    rows.push(['pool positions / below HF 1 now', `${n(f.pool.positions)} / ${n(f.pool.belowOneNow)}`, `HF < 1 events ${n(c.poolBelowOne)}, recovered ${n(c.poolRecovered)}`]);
    rows.push(['  external liquidations', n(c.poolLiquidations), by === '' ? 'none' : `by ${by}`]);
    rows.push(['  debt repaid / BTC seized', `${usdt(c.poolDebtRepaidUnits)} / ${formatScaled(c.poolCollateralSeizedUnits, 8)} BTC`, `protocol fees to the fund ${formatScaled(c.poolProtocolFeesUnits, 8)} BTC`]);
    rows.push(['  borrow interest settled', usdt(f.pool.interestSettledUnits), '']);
  }
  for (const oi of f.openInterest) rows.push([`open interest ${oi.market} long = short`, `${n(oi.longLots)} = ${n(oi.shortLots)} lots`, oi.longLots === oi.shortLots ? 'ok' : 'MISMATCH']);
  if (f.riskHalted !== '') rows.push(['risk stage', 'HALTED', f.riskHalted]);
  rows.push(['money conserved to the unit', f.conservationOk ? 'yes' : `NO: ${f.conservationProblems.join('; ')}`, '']);
  const sm = f.spotMargin;
  if (sm != null) {
    rows.push(['spot-margin borrowers entered / refused', `${n(sm.entered)} / ${n(sm.refused)}`, `of ${n(sm.borrowers)}, ${n(sm.closed)} closed and repaid`]);
    for (const a of sm.perAsset) rows.push([`  ${a.asset} borrowed / interest paid`, `${formatScaled(a.borrowedUnits, a.decimals)} / ${formatScaled(a.interestUnits, a.decimals)}`, a.asset]);
    rows.push(['  margin calls / liquidations', `${n(sm.calls)} / ${n(sm.liquidations)}`, `fees to the fund ${usdt(sm.liquidationFeeUnits)}`]);
    rows.push(['  bad debt written off / conserved', `${n(Number(sm.writtenOffUnits))} units / ${sm.conservationOk ? 'yes' : 'NO'}`, sm.conservationOk ? '' : sm.conservationProblems.join('; ')]);
  }
  const codes = [...c.rejectCodes.entries()].sort((a, b) => b[1] - a[1]).map(([code, count]) => `${code} ${n(count)}`);
  const width = Math.max(...rows.map((r) => r[0].length));
  const lines = rows.map(([k, v, r]) => `  ${k.padEnd(width)}  ${v.padStart(14)}  ${r}`);
  return [
    '',
    `Perpcore embedded run: ${f.elapsedS.toFixed(1)} s wall, ${n(Math.round(f.simulatedS))} s simulated`,
    ...lines,
    codes.length > 0 ? `  reject codes: ${codes.join(', ')}` : '  reject codes: none',
    `  state hash  ${f.stateHash}`,
    '',
  ].join('\n');
}
