/**
 * What the embedded simulation plays on top of the steady order flow: a crowd of
 * small leveraged traders entering early, a seeded insurance fund, and a price
 * shock large enough to liquidate them — some closed in the book with a surplus,
 * some gapped past their bankruptcy price (fund takeover) and, once the small fund
 * is spent, auto-deleveraged. A few crypto-backed loan borrowers (USDT against BTC
 * or ETH) open near their initial LTV, so the shock calls and liquidates some.
 * Beside them, BTC-backed borrowers in the lending pool, which the same shock
 * takes below HF 1 for the external liquidator bot, and backstop liquidators that
 * take the gapped positions before the fund does. All times are simulated event
 * time.
 */
import { defaultInsuranceFundSeedUnits, USDT_UNITS_PER_USDT } from '@perpcore/markets';

export interface EmbeddedScenario {
  /** Simulated time per order-flow command, ns. */
  stepNs: number;
  /** Index publication period, simulated ns. */
  indexPeriodNs: number;
  crowdAccounts: number;
  crowdFirstAccountId: number;
  crowdMinDepositUnits: number;
  crowdMaxDepositUnits: number;
  crowdMinLeverage: number;
  crowdMaxLeverage: number;
  crowdLongShare: number;
  crowdEntryStartS: number;
  crowdEntryEndS: number;
  /** Simulated second of the shock; 0 = none. */
  shockAtS: number;
  shockE8: number;
  insuranceFundSeedUnits: number;
  /** ADL indicator refresh, simulated ms (the simulation runs far faster than real time). */
  adlRefreshMs: number;
  /** Crypto-backed loan borrowers (libs/simulation loan-borrowers.ts); 0 = loans off. */
  loanBorrowers: number;
  loanFirstAccountId: number;
  loanOpenStartS: number;
  loanOpenEndS: number;
  loanTopUpAtS: number;
  /** DeFi lending pool (issue 13.3): BTC-backed USDT borrowers (0 = none) and the external liquidator bot's period. */
  poolBorrowers: number;
  poolBorrowersFirstAccountId: number;
  poolBorrowAtS: number;
  poolLiquidatorPeriodS: number;
  /**
   * Backstop liquidators (issue 13.3, risk's backstop-liquidators.ts): accounts signed up at the
   * start to take over positions the book cannot absorb, at their bankruptcy price, before the fund; 0 = none.
   */
  backstopLiquidators: number;
  backstopFirstAccountId: number;
  backstopDepositUnits: number;
  backstopMaxPositionNotionalUnits: number;
}

export const defaultEmbeddedScenario: EmbeddedScenario = {
  stepNs: 20_000_000,
  indexPeriodNs: 1_000_000_000,
  crowdAccounts: 300,
  crowdFirstAccountId: 10_000,
  crowdMinDepositUnits: 200 * USDT_UNITS_PER_USDT,
  crowdMaxDepositUnits: 2_000 * USDT_UNITS_PER_USDT,
  crowdMinLeverage: 2,
  crowdMaxLeverage: 20,
  crowdLongShare: 0.8,
  crowdEntryStartS: 60,
  crowdEntryEndS: 600,
  shockAtS: 1_200,
  shockE8: -12_000_000,
  insuranceFundSeedUnits: defaultInsuranceFundSeedUnits,
  adlRefreshMs: 60_000,
  // off by default so the library's own scenarios keep their figures; npm start turns them on
  loanBorrowers: 0,
  loanFirstAccountId: 25_000, // above the pool borrowers (20,000 + 40) and below the pool liquidator (30,002)
  loanOpenStartS: 30,
  loanOpenEndS: 300,
  loanTopUpAtS: 900,
  // LTV 60–75% of BTC at LT 80%: those above ~70% fall below HF 1 in the 12% shock
  poolBorrowers: 40,
  poolBorrowersFirstAccountId: 20_000,
  poolBorrowAtS: 30,
  poolLiquidatorPeriodS: 5,
  // off by default (as loans): npm start turns them on
  backstopLiquidators: 0,
  backstopFirstAccountId: 31_000, // above the pool liquidator (30,002)
  backstopDepositUnits: 5_000 * USDT_UNITS_PER_USDT,
  backstopMaxPositionNotionalUnits: 40_000 * USDT_UNITS_PER_USDT,
};
