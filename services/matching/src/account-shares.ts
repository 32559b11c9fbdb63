/**
 * Splits a matching event into per-account shares for account-sharded risk
 * (`matching.account-events.v1`, ARCHITECTURE.md scale-out): a fill goes out once
 * per side, tagged with that side's liquidity; order lifecycle events go to their
 * order's account; book deltas concern no account and are not routed.
 */
import { Liquidity } from '@perpcore/domain';
import type { MatchingAccountEventV1, MatchingEventV1 } from '@perpcore/proto';

const NONE: MatchingAccountEventV1[] = [];

export function accountShares(event: MatchingEventV1): MatchingAccountEventV1[] {
  switch (event.event) {
    case 'filled': {
      const f = event.filled;
      if (f == null) return NONE;
      return [
        { accountId: f.makerAccountId, liquidity: Liquidity.Maker, event },
        { accountId: f.takerAccountId, liquidity: Liquidity.Taker, event },
      ];
    }
    case 'bookDelta':
      return NONE;
    default: {
      const payload = event[event.event] as { accountId?: number } | null | undefined;
      const accountId = payload?.accountId ?? 0;
      return accountId === 0 ? NONE : [{ accountId, liquidity: 0, event }];
    }
  }
}
