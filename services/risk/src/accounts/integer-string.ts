/**
 * `integerString(x)`: the decimal text of a safe integer, identical to `String(x)`,
 * for the wire fields that carry money as strings (values may exceed 2^53 on the
 * wire, e.g. `PositionSettledV1.costBasisAfterUnits`, `walletBalanceAfterUnits`).
 *
 * Why not `String(x)`: a balance or cost basis is rarely a small integer, and V8
 * converts such a double through its general shortest-digits routine (a runtime
 * call, ~150 ns); two per fill leg made this the largest single cost of settlement.
 * Splitting |x| at 10^9 leaves two small integers, which V8 converts on its fast
 * path (~50 ns in all).
 *
 * Invariant: for every safe integer x, `integerString(x) === String(x)` (property
 * test). Exact: |x| < 2^53, so `hi = floor(|x| / 1e9) < 2^24` and `lo = |x| − hi × 1e9`
 * are exact doubles. Example: 12,345,678,901,234 → hi 12,345, lo 678,901,234 →
 * "12345" + "678901234"; 5,000,000,001 → "5" + "000000001".
 * Non-integers are not money: they take `String` (never on the settlement path).
 */
const PAD = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000'];
const SMALL = 1_073_741_823; // below 2^30: V8 keeps these as small integers

export function integerString(x: number): string {
  if (x >= -SMALL && x <= SMALL) return String(x);
  if (!Number.isSafeInteger(x)) return String(x);
  const a = x < 0 ? -x : x;
  const hi = Math.floor(a / 1e9);
  const lo = String(a - hi * 1e9);
  const text = `${hi}${PAD[9 - lo.length]}${lo}`;
  return x < 0 ? `-${text}` : text;
}
