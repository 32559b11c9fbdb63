/**
 * A `BookEventSink` that copies every event into an array, tagged with its kind:
 * for tests and tools that compare or replay event streams. Not for hot paths (it
 * allocates one object per event).
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
} from './order-book.js';

export type RecordedEvent =
  | ({ kind: 'accepted' } & OrderAcceptedEvent)
  | ({ kind: 'rejected' } & OrderRejectedEvent)
  | ({ kind: 'fill' } & FillEvent)
  | ({ kind: 'canceled' } & OrderCanceledEvent)
  | ({ kind: 'amended' } & OrderAmendedEvent)
  | ({ kind: 'triggered' } & OrderTriggeredEvent)
  | ({ kind: 'delta' } & BookDeltaEvent);

export class RecordingSink implements BookEventSink {
  readonly events: RecordedEvent[] = [];

  /** Returns the events recorded so far and starts a new list. */
  take(): RecordedEvent[] {
    return this.events.splice(0, this.events.length);
  }

  onAccepted(e: OrderAcceptedEvent): void {
    this.events.push({ kind: 'accepted', ...e });
  }
  onRejected(e: OrderRejectedEvent): void {
    this.events.push({ kind: 'rejected', ...e });
  }
  onFill(e: FillEvent): void {
    this.events.push({ kind: 'fill', ...e });
  }
  onCanceled(e: OrderCanceledEvent): void {
    this.events.push({ kind: 'canceled', ...e });
  }
  onAmended(e: OrderAmendedEvent): void {
    this.events.push({ kind: 'amended', ...e });
  }
  onTriggered(e: OrderTriggeredEvent): void {
    this.events.push({ kind: 'triggered', ...e });
  }
  onBookDelta(e: BookDeltaEvent): void {
    this.events.push({ kind: 'delta', ...e });
  }
}
