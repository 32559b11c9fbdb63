/**
 * Margin states as small integers for the hot path's columns, mapped one-to-one onto
 * `@perpcore/margin`'s `MarginState` strings (RISK-SPEC §6). LIQUIDATING is sticky:
 * only the liquidation ledger releases it (risk-ledger.ts), so one breach starts
 * one liquidation.
 */
import { MarginState } from '@perpcore/margin';

export const MarginStateCode = { Healthy: 0, Called: 1, Liquidating: 2 } as const;
export type MarginStateCode = (typeof MarginStateCode)[keyof typeof MarginStateCode];

export function marginStateCode(state: MarginState): MarginStateCode {
  return state === MarginState.Liquidating ? MarginStateCode.Liquidating : state === MarginState.Called ? MarginStateCode.Called : MarginStateCode.Healthy;
}

export function marginStateName(code: number): MarginState {
  return code === MarginStateCode.Liquidating ? MarginState.Liquidating : code === MarginStateCode.Called ? MarginState.Called : MarginState.Healthy;
}
