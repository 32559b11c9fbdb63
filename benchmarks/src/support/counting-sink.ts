/**
 * The benchmarks' event sink: counts events and sums filled lots, so the work of
 * producing events cannot be optimised away, and copies nothing.
 */
import type {
  BookDeltaEvent,
  BookEventSink,
  FillEvent,
  OrderAcceptedEvent,
  OrderAmendedEvent,
  OrderCanceledEvent,
  OrderRejectedEvent,
  OrderTriggeredEvent,
} from '@perpcore/orderbook';

export class CountingSink implements BookEventSink {
  events = 0;
  rejects = 0;
  filledLots = 0;

  onAccepted(_e: OrderAcceptedEvent): void {
    this.events++;
  }
  onRejected(_e: OrderRejectedEvent): void {
    this.events++;
    this.rejects++;
  }
  onFill(e: FillEvent): void {
    this.events++;
    this.filledLots += e.qtyLots;
  }
  onCanceled(_e: OrderCanceledEvent): void {
    this.events++;
  }
  onAmended(_e: OrderAmendedEvent): void {
    this.events++;
  }
  onTriggered(_e: OrderTriggeredEvent): void {
    this.events++;
  }
  onBookDelta(_e: BookDeltaEvent): void {
    this.events++;
  }
}
