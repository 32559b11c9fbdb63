/**
 * `numerator / denominator` as a plain decimal string with `scale` fraction digits
 * (trailing zeros trimmed), computed in bigint: no float ever touches a price.
 * Rounds toward zero; averages (avgPrice, entryPrice) and the mark are informational
 * on the wire, the ledger keeps the exact integers.
 */
import { formatScaled } from '@perpcore/domain';

export function decimalRatio(numerator: bigint, denominator: bigint, scale: number): string {
  if (denominator === 0n) return '0';
  return formatScaled((numerator * 10n ** BigInt(scale)) / denominator, scale);
}

/** Extra digits beyond the tick that averages keep. */
export const AVERAGE_EXTRA_DIGITS = 8;
