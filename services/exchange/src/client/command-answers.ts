/**
 * Reading the stages' answers to a client's commands out of their events, the
 * same way in every `ExchangeClient`: risk's accepted / rejected answer to an
 * account command (matched by its `commandId`), and the refusal of an order
 * command (risk's pre-trade reject first, then matching's).
 */
import type { MarginMode } from '@perpcore/domain';
import type { MatchingEventV1, perpcore, RiskEventV1 } from '@perpcore/proto';
import type { AccountCommandResult, CommandRejection, MarketCommandResult } from './exchange-client.js';

/** Risk's answer to account command `commandId` if `e` is it, else null. */
export function accountAnswer(e: RiskEventV1, commandId: number, riskEvents: readonly RiskEventV1[]): AccountCommandResult | null {
  const a = e.event === 'commandAccepted' ? e.commandAccepted : null;
  if (a != null && Number(a.commandId) === commandId) {
    return { rejection: null, balanceAfterUnits: a.balanceAfterUnits ?? '', leverage: a.leverage ?? 0, marginMode: (a.marginMode ?? 0) as MarginMode | 0, riskEvents };
  }
  const r = e.event === 'commandRejected' ? e.commandRejected : null;
  if (r != null && Number(r.commandId) === commandId) {
    return { rejection: { stage: 'risk', code: r.code ?? '', message: r.message ?? '' }, balanceAfterUnits: '', leverage: 0, marginMode: 0, riskEvents };
  }
  return null;
}

/** Risk's pre-trade reject of the order, else matching's reject of the command, else null. */
export function orderRejection(orderId: number, matching: readonly MatchingEventV1[], risk: readonly RiskEventV1[]): CommandRejection | null {
  for (const e of risk) {
    const r = e.event === 'orderRejected' ? e.orderRejected : null;
    if (r != null && (orderId === 0 || Number(r.orderId) === orderId)) return { stage: 'risk', code: r.code ?? '', message: r.message ?? '' };
  }
  for (const e of matching) {
    const r = e.event === 'rejected' ? e.rejected : null;
    if (r != null && (orderId === 0 || Number(r.orderId) === orderId)) return { stage: 'matching', code: r.code ?? '', message: r.message ?? '' };
  }
  return null;
}

/** Matching's answer to an operator market command: its halted / resumed event, or its refusal. */
export function marketAnswer(answer: MatchingEventV1, matching: readonly MatchingEventV1[]): MarketCommandResult {
  const r = answer.event === 'rejected' ? answer.rejected : null;
  return { rejection: r == null ? null : { stage: 'matching', code: r.code ?? '', message: r.message ?? '' }, matchingEvents: matching };
}

/** The loan a loan command left, from its effects: the last loan event of the account among them, else null. */
export function loanAfter(accountId: number, riskEvents: readonly RiskEventV1[]): perpcore.risk.v1.ILoanStatusV1 | null {
  for (let i = riskEvents.length - 1; i >= 0; i--) {
    const e = riskEvents[i];
    if (e.accountId !== accountId) continue;
    const body = e.event === 'loanOpened' ? e.loanOpened : e.event === 'loanCollateralAdded' ? e.loanCollateralAdded : e.event === 'loanCollateralRemoved' ? e.loanCollateralRemoved : e.event === 'loanRepaid' ? e.loanRepaid : e.event === 'loanClosed' ? e.loanClosed : null;
    if (body?.loan != null) return body.loan;
  }
  return null;
}
