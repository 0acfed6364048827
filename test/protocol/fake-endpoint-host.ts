/**
 * Recording hosts for the endpoint's protocol machines with no World: the clock moves only when a
 * test calls `advance`, ids are counted, and every output (frames written, transactions opened,
 * timers, events, outcomes) is recorded in the order the machine produced it.
 */
import type { MsrpFrame } from '../../src/wire/frame.js';
import type { EndpointEvents, EndpointEventType } from '../../src/protocol/endpoint-events.js';
import { FakeClock } from './fake-clock.js';

export type EndpointOutput =
  | { kind: 'event'; type: EndpointEventType; fields: EndpointEvents[EndpointEventType]; rule: string | undefined }
  | { kind: 'send'; frame: MsrpFrame }
  | { kind: 'open'; transactionId: string; relayIndex: number }
  | { kind: 'ready'; previous: readonly string[]; refreshed: boolean }
  | { kind: 'gave-up'; reason: string; rule: string }
  | { kind: 'reauthenticate' };

export class FakeEndpointHost extends FakeClock {
  readonly out: EndpointOutput[] = [];
  private ids = 0;

  emit<K extends EndpointEventType>(type: K, fields: EndpointEvents[K], rule?: string): void {
    this.out.push({ kind: 'event', type, fields, rule });
  }
  newTransactionId(): string {
    return `t${++this.ids}`;
  }
  newCnonce(): string {
    return `cn${++this.ids}`;
  }
  openTransaction(transactionId: string, relayIndex: number): void {
    this.out.push({ kind: 'open', transactionId, relayIndex });
  }
  send(frame: MsrpFrame): void {
    this.out.push({ kind: 'send', frame });
  }
  ready(previous: readonly string[], refreshed: boolean): void {
    this.out.push({ kind: 'ready', previous, refreshed });
  }
  gaveUp(reason: string, rule: string): void {
    this.out.push({ kind: 'gave-up', reason, rule });
  }
  reauthenticate(): void {
    this.out.push({ kind: 'reauthenticate' });
  }

  /** The events of one type, in order. */
  events<K extends EndpointEventType>(type: K): { fields: EndpointEvents[K]; rule: string | undefined }[] {
    return this.out.flatMap((o) => (o.kind === 'event' && o.type === type ? [{ fields: o.fields as EndpointEvents[K], rule: o.rule }] : []));
  }
  /** The frames written, in order. */
  sent(): MsrpFrame[] {
    return this.out.flatMap((o) => (o.kind === 'send' ? [o.frame] : []));
  }
  /** What the output looks like as kinds and types, for rows that check order. */
  shape(): string[] {
    return this.out.map((o) => (o.kind === 'event' ? o.type : o.kind));
  }
  clear(): void {
    this.out.length = 0;
  }
}
