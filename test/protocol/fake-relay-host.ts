/**
 * A RelayHost for the relay's protocol machines with no World: connections are plain strings, the
 * clock moves only when a test calls `advance`, and every output (frames written, closes, timers,
 * events) is recorded in the order the machine produced it.
 */
import type { MsrpFrame } from '../../src/wire/frame.js';
import type { RelayEvents, RelayEventType } from '../../src/protocol/relay-events.js';
import type { RelayHost, RelayStateType } from '../../src/protocol/relay-host.js';
import type { StateEvents } from '../../src/protocol/state-events.js';
import { FakeClock } from './fake-clock.js';

export type Output =
  | { kind: 'event'; type: RelayEventType; fields: RelayEvents[RelayEventType]; rule: string | undefined }
  | { kind: 'send'; conn: string; frame: MsrpFrame }
  | { kind: 'close'; conn: string }
  | { kind: 'reset'; conn: string };

export class FakeRelayHost extends FakeClock implements RelayHost<string, number> {
  readonly out: Output[] = [];
  /** The node state records, apart from `out` (what the tests of the machines' behaviour read). */
  readonly states: { type: RelayStateType; fields: StateEvents[RelayStateType] }[] = [];
  readonly open = new Set<string>();
  /** Connections whose peer presented a client certificate, and the authorities each leads to. */
  readonly relays = new Map<string, string[]>();
  private ids = 0;

  constructor(...conns: string[]) {
    super();
    for (const c of conns) this.open.add(c);
  }

  emit<K extends RelayEventType>(type: K, fields: RelayEvents[K], rule?: string): void {
    this.out.push({ kind: 'event', type, fields, rule });
  }
  wantsState(): boolean {
    return true;
  }
  emitState<K extends RelayStateType>(type: K, fields: StateEvents[K]): void {
    this.states.push({ type, fields });
  }
  send(conn: string, frame: MsrpFrame): void {
    this.out.push({ kind: 'send', conn, frame });
  }
  close(conn: string): void {
    this.open.delete(conn);
    this.out.push({ kind: 'close', conn });
  }
  reset(conn: string): void {
    this.open.delete(conn);
    this.out.push({ kind: 'reset', conn });
  }
  connId(conn: string): string {
    return conn;
  }
  isOpen(conn: string): boolean {
    return this.open.has(conn);
  }
  isPeerRelay(conn: string): boolean {
    return this.relays.has(conn);
  }
  leadsTo(conn: string, authority: string): boolean {
    return this.relays.get(conn)?.includes(authority) ?? false;
  }
  newNonce(): string {
    return `nonce${++this.ids}`;
  }
  newToken(): string {
    return `tok${++this.ids}`;
  }
  newTransactionId(): string {
    return `tid${++this.ids}`;
  }
  newMessageId(): string {
    return `mid${++this.ids}`;
  }

  /** The outputs recorded since the last call, and forgets them. */
  take(): Output[] {
    return this.out.splice(0);
  }
  events(): { type: string; rule: string | undefined; fields: unknown }[] {
    return this.out.flatMap((o) => (o.kind === 'event' ? [{ type: o.type, rule: o.rule, fields: o.fields }] : []));
  }
  sent(): { conn: string; frame: MsrpFrame }[] {
    return this.out.flatMap((o) => (o.kind === 'send' ? [{ conn: o.conn, frame: o.frame }] : []));
  }
}
