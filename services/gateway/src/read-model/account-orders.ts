/**
 * One account's orders and fills, bounded.
 *
 * Retention (the idempotency window, documented in the README):
 * - open orders: all of them, for as long as they are open;
 * - closed orders (FILLED, CANCELED, EXPIRED): the most recent `closedLimit`
 *   (default 1,000) per account; older ones are forgotten, with their
 *   newClientOrderId;
 * - fills: the most recent `fillLimit` (default 1,000) per account.
 * A newClientOrderId resolves to its order while the order is open or retained.
 */
import type { FillRecord, OrderRecord } from './order-record.js';

export interface RetentionLimits {
  readonly closedLimit: number;
  readonly fillLimit: number;
}

export const defaultRetention: RetentionLimits = { closedLimit: 1_000, fillLimit: 1_000 };

export class AccountOrders {
  readonly open = new Map<number, OrderRecord>();
  /** Insertion order = close order: the first entry is the oldest. */
  readonly closed = new Map<number, OrderRecord>();
  private readonly byClientId = new Map<string, OrderRecord>();
  private readonly fillRing: FillRecord[] = [];
  private fillStart = 0;

  constructor(private readonly limits: RetentionLimits) {}

  add(order: OrderRecord): void {
    this.open.set(order.orderId, order);
    if (order.clientOrderId !== '') this.byClientId.set(order.clientOrderId, order);
  }

  /** Gives an order folded before its place command was seen (Kafka replay) the command's client order id. */
  name(order: OrderRecord, clientOrderId: string, triggerSource: OrderRecord['triggerSource']): void {
    order.clientOrderId = clientOrderId;
    order.triggerSource = triggerSource;
    // a later order of the same client id (the id reused after this one closed) keeps it
    if (!this.byClientId.has(clientOrderId)) this.byClientId.set(clientOrderId, order);
  }

  get(orderId: number): OrderRecord | undefined {
    return this.open.get(orderId) ?? this.closed.get(orderId);
  }

  byClientOrderId(clientOrderId: string): OrderRecord | undefined {
    return this.byClientId.get(clientOrderId);
  }

  close(order: OrderRecord): void {
    if (!this.open.delete(order.orderId)) return;
    this.closed.set(order.orderId, order);
    while (this.closed.size > this.limits.closedLimit) {
      const oldest = this.closed.values().next().value as OrderRecord;
      this.closed.delete(oldest.orderId);
      if (this.byClientId.get(oldest.clientOrderId) === oldest) this.byClientId.delete(oldest.clientOrderId);
    }
  }

  addFill(fill: FillRecord): void {
    if (this.fillRing.length < this.limits.fillLimit) {
      this.fillRing.push(fill);
      return;
    }
    this.fillRing[this.fillStart] = fill;
    this.fillStart = (this.fillStart + 1) % this.limits.fillLimit;
  }

  /** Retained fills, oldest first. */
  fills(): FillRecord[] {
    return [...this.fillRing.slice(this.fillStart), ...this.fillRing.slice(0, this.fillStart)];
  }
}
