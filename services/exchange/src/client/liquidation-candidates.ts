/**
 * The lending pool's liquidation candidates as external liquidators read them
 * (issue 13.3): the positions below health factor 1 at the oracle index now, each
 * with the `positionSeq` its `liquidationCall` must name. One wire form for the
 * embedded client and the Kafka query reply (`LiquidationCandidatesReplyV1`): the
 * health factor as a decimal string (E8, rounded down), so JSON carries it exactly.
 */
import type { LiquidationCandidate } from '@perpcore/risk';

export interface PoolLiquidationCandidate {
  readonly accountId: number;
  readonly positionSeq: number;
  /** E8, rounded down; below 100000000. */
  readonly healthFactorE8: string;
  /** Per pool asset with a balance: supplied and debt now (interest included). */
  readonly legs: readonly { readonly asset: string; readonly suppliedUnits: number; readonly debtUnits: number }[];
}

export function liquidationCandidateViews(candidates: readonly LiquidationCandidate[]): PoolLiquidationCandidate[] {
  return candidates.map((c) => ({ accountId: c.accountId, positionSeq: c.positionSeq, healthFactorE8: String(c.healthFactorE8), legs: c.legs.map((l) => ({ ...l })) }));
}
