/**
 * Open client order ids per account: a client order id may be reused only after
 * the order it named has left the book (filled or cancelled), as on real venues.
 * Only orders that carry one are tracked, so anonymous flow pays nothing.
 */
export class ClientOrderIds {
  private readonly byKey = new Map<string, number>();
  private readonly keyByOrder = new Map<number, string>();

  private static key(accountId: number, clientOrderId: string): string {
    return `${accountId}\u0000${clientOrderId}`;
  }

  isOpen(accountId: number, clientOrderId: string): boolean {
    return this.byKey.has(ClientOrderIds.key(accountId, clientOrderId));
  }

  open(accountId: number, clientOrderId: string, orderId: number): void {
    const key = ClientOrderIds.key(accountId, clientOrderId);
    this.byKey.set(key, orderId);
    this.keyByOrder.set(orderId, key);
  }

  /** The order left the book: its client id is free again. */
  close(orderId: number): void {
    if (this.keyByOrder.size === 0) return;
    const key = this.keyByOrder.get(orderId);
    if (key === undefined) return;
    this.keyByOrder.delete(orderId);
    this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}
