/**
 * A stateful firewall (SPEC §3.3): a node on the path that tracks TCP connections and lets the
 * segments of allowed ones through in both directions.
 *
 * - Direction: a connection opened by a host in `inside` is outbound, any other is inbound.
 * - A segment without state meets the rules, first match wins; no rule matches: outbound allowed
 *   (`default-allow`), inbound dropped (`default-deny`). A SYN that is allowed creates state; so
 *   does any other segment that is allowed (state lost to a flush is picked up again mid-stream,
 *   as loose connection tracking does), except an RST, which passes or not but creates nothing.
 * - `drop` is silence (the caller retransmits, then times out); `reject` answers with RST.
 * - `tlsOnly`: the connection gets past the SYN, but the initiator's first payload bytes must be a
 *   TLS handshake record (0x16 0x03). Otherwise, with `reject`, the initiator gets an RST and the
 *   state goes; with `drop`, the segment is dropped and the state kept, marked blocked, so its
 *   retransmissions meet the same verdict rather than being taken for a new connection.
 * - State idle for `idleTimeout` expires (`fw.expire`); the next segment of that connection, from
 *   either side, is dropped or answered with RST per `idleMode` (rule `idle-timeout`). State of a
 *   connection that exchanged FINs or saw an RST lingers 10 s, then goes quietly.
 * - NAT: outbound connections leave with the firewall's address and a mapped port (from 40000 up);
 *   replies to that address and port are mapped back. No mapping: dropped (`nat-no-mapping`).
 * - An inspector, when set, sees every allowed connection's payload in order per direction. A
 *   segment ahead of a gap passes and is inspected when the gap is filled.
 */
import type { NetCore, NetDirection, NetNode, NetSegment } from './net-contracts.js';
import type {
  Endpoint,
  FirewallDirection,
  FirewallOptions,
  FirewallRule,
  FlowInfo,
  Inspector,
  InspectorVerdict,
} from './net-types.js';
import { Flow, inspectInOrder, streamsOf, type Expired } from './firewall-flow.js';
import { FIN, RST, SYN, ACK, resetOnward, resetReply, segmentFields } from './segment.js';

export const DEFAULT_IDLE_TIMEOUT = 3_600_000_000;
/** How long state of a closed (FIN both ways, or RST) connection is kept for stragglers. */
const CLOSED_LINGER = 10_000_000;
const FIRST_NAT_PORT = 40000;
/** Remembered expired connections (for `idle-timeout` verdicts), oldest forgotten first. */
const MAX_EXPIRED = 20000;

interface Decision {
  allow: boolean;
  rule: string;
  mode: 'drop' | 'reject';
  tlsOnly: boolean;
}




export class Firewall implements NetNode {
  readonly kind = 'firewall' as const;
  readonly out: NetDirection[] = [];
  readonly up = true;
  readonly inside: ReadonlySet<string>;
  private _rules: readonly FirewallRule[];
  private _idleTimeout: number;
  private _idleMode: 'drop' | 'reset';
  readonly nat: boolean;

  private _address: string | null;
  private inspector: Inspector | null = null;
  /** Told when a connection's state goes (closed, expired, reset): what the inspector keeps for it can go too. */
  private flowEnded: ((flow: FlowInfo) => void) | null = null;
  /**
   * Every flow under both its directions: source `ip:port` -> destination `ip:port` -> flow. Two
   * lookups of strings the sending connection keeps (so their hashes are cached) cost less per
   * segment than building a `src>dst` key.
   */
  private readonly flows = new Map<string, Map<string, Flow>>();
  private flowTotal = 0;
  /** NAT port -> remote `ip:port` -> flow. */
  private readonly natIn = new Map<number, Map<string, Flow>>();
  private readonly natPorts = new Map<number, number>();
  private nextNatPort = FIRST_NAT_PORT;
  private readonly expired = new Map<string, Expired>();
  private readonly expiredNat = new Map<string, Expired>();

  /** The rules new connections meet, first match wins. */
  get rules(): readonly FirewallRule[] {
    return this._rules;
  }

  /** Replaces the rules (scenario action `set`): tracked connections keep their state. */
  setRules(rules: readonly FirewallRule[]): void {
    this._rules = this.numbered(rules);
    this.core.sim.trace.emit(this.id, 'fw.rules', { rules: this._rules.map((r) => r.id!) });
  }

  /** How long a connection's state lives without a segment (µs). */
  get idleTimeout(): number {
    return this._idleTimeout;
  }

  /** What meets a segment of an expired connection: silence or a reset. */
  get idleMode(): 'drop' | 'reset' {
    return this._idleMode;
  }

  /**
   * Changes the idle timeout and what follows it (scenario action `set`). Tracked connections
   * are judged by the new timeout from now on, counted from their last segment.
   */
  setIdle(idleTimeout: number, idleMode: 'drop' | 'reset'): void {
    this._idleTimeout = idleTimeout;
    this._idleMode = idleMode;
    this.core.sim.trace.emit(this.id, 'fw.idle', { idleTimeout, idleMode });
    const seen = new Set<Flow>();
    for (const byDst of this.flows.values()) {
      for (const flow of byDst.values()) {
        if (seen.has(flow)) continue;
        seen.add(flow);
        this.armTimer(flow);
      }
    }
  }

  private numbered(rules: readonly FirewallRule[]): FirewallRule[] {
    return rules.map((r, i) => ({ ...r, id: r.id ?? `${this.id}#${i + 1}` }));
  }

  constructor(
    private readonly core: NetCore,
    readonly id: string,
    readonly name: string,
    options: FirewallOptions,
    private readonly assignAddress: (node: Firewall) => string,
  ) {
    this.inside = new Set(options.inside);
    this._rules = this.numbered(options.rules ?? []);
    this._idleTimeout = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
    this._idleMode = options.idleMode ?? 'drop';
    this.nat = options.nat ?? false;
    this._address = options.address ?? null;
  }

  get address(): string {
    return this._address ?? this.assignAddress(this);
  }

  get hasAddress(): boolean {
    return this._address !== null;
  }

  setAddress(address: string): void {
    this._address = address;
  }

  /**
   * Installs (or with null removes) the payload policy hook. A connection that has already carried
   * payload when a hook is installed where there was none is never inspected: the hook could only
   * meet its bytes mid-frame. Returns those connections. `ended` is told of every connection whose
   * state goes from then on (it closed and lingered, expired, or was reset), not of a `flush`: a
   * connection picked up again after a flush keeps its key.
   */
  setInspector(inspector: Inspector | null, ended?: (flow: FlowInfo) => void): FlowInfo[] {
    // Each flow is in the table under both its directions: a set counts it once.
    const skipped = new Set<Flow>();
    if (inspector !== null && this.inspector === null) {
      for (const byDst of this.flows.values()) {
        for (const flow of byDst.values()) if (flow.payloadSeen && !flow.uninspected) skipped.add(flow);
      }
      for (const flow of skipped) flow.uninspected = true;
    }
    this.inspector = inspector;
    this.flowEnded = inspector === null ? null : ended ?? null;
    return [...skipped];
  }

  /** Connections currently tracked. */
  get flowCount(): number {
    return this.flowTotal;
  }

  /** Forgets all state: connections, NAT mappings and expiry memory. Returns how many connections were tracked. */
  flush(): number {
    const n = this.flowCount;
    const scheduler = this.core.sim.scheduler;
    for (const byDst of this.flows.values()) {
      for (const flow of byDst.values()) {
        scheduler.cancel(flow.timer);
        flow.timer = null;
        flow.tracked = false;
      }
    }
    this.flows.clear();
    this.flowTotal = 0;
    this.natIn.clear();
    this.natPorts.clear();
    this.expired.clear();
    this.expiredNat.clear();
    return n;
  }

  arrive(seg: NetSegment, _via: NetDirection | null): void {
    const now = this.core.sim.now;
    let flow: Flow | undefined;
    let fromInitiator = false;
    /** The destination the sender used, when reverse NAT rewrote it. */
    let sentTo: Endpoint | null = null;

    if (seg.dstIp === this._address) {
      flow = this.nat ? this.natIn.get(seg.dstPort)?.get(seg.src) : undefined;
      if (flow === undefined) {
        const natKey = `${seg.dstPort}|${seg.src}`;
        const marker = this.expiredNat.get(natKey);
        if (marker !== undefined) this.idleVerdict(seg, marker, null);
        else this.record('fw.drop', seg, `${seg.src}>${seg.dst}`, 'inbound', this.nat ? 'nat-no-mapping' : 'default-deny', 'no connection is mapped to this address and port');
        return;
      }
      sentTo = { address: seg.dstIp, port: seg.dstPort };
      seg.setDestination(flow.initiator.address, flow.initiator.port, flow.initiatorText);
      if (now >= flow.lastSeen + this.lifetime(flow)) {
        this.expire(flow);
        this.idleVerdict(seg, flow.natKey !== null ? (this.expiredNat.get(flow.natKey) ?? null) : null, sentTo);
        return;
      }
    } else {
      flow = this.flows.get(seg.src)?.get(seg.dst);
      if (flow !== undefined && now >= flow.lastSeen + this.lifetime(flow)) {
        this.expire(flow);
        flow = undefined;
      }
      if (flow === undefined) {
        const key = `${seg.src}>${seg.dst}`;
        const marker = this.expired.get(key);
        if (marker !== undefined) {
          if ((seg.flags & (SYN | ACK)) !== SYN) {
            this.idleVerdict(seg, marker, null);
            return;
          }
          this.forgetExpired(marker);
        }
        const direction: FirewallDirection = this.inside.has(seg.origin) ? 'outbound' : 'inbound';
        const decision = this.decide(seg, direction);
        if (seg.flags & RST) {
          // No state for an RST: it passes if the rules allow, and is never answered.
          if (decision.allow) this.core.forward(seg, this);
          else this.record('fw.drop', seg, key, direction, decision.rule, 'denied (RST without connection state)');
          return;
        }
        if (!decision.allow) {
          this.deny(seg, key, direction, decision.rule, decision.mode, 'denied by rule', null);
          return;
        }
        flow = this.track(seg, direction, decision);
      }
      fromInitiator = flow.initiatorText === seg.src;
    }

    flow.lastSeen = now;
    if (flow.blocked !== null) {
      this.record('fw.drop', seg, flow.key, flow.direction, flow.blocked.rule, `blocked: ${flow.blocked.reason}`);
      return;
    }
    if (seg.flags & SYN && this.inspector !== null) streamsOf(flow)[fromInitiator ? 0 : 1].next = (seg.seq + 1) >>> 0;
    if (fromInitiator && flow.tlsPending !== null && seg.len > 0) {
      const p = seg.payload!;
      if (p[0] !== 0x16 || (p.length > 1 && p[1] !== 0x03)) {
        const t = flow.tlsPending;
        const reason = `tls-only: first bytes are not a TLS handshake record (0x${p[0]!.toString(16).padStart(2, '0')})`;
        // Dropped: the connection stays blocked (its retransmissions meet the same verdict);
        // rejected: the initiator got an RST, so the state goes.
        if (t.mode === 'drop') flow.blocked = { rule: t.rule, reason };
        else this.remove(flow);
        this.deny(seg, flow.key, flow.direction, t.rule, t.mode, reason, sentTo);
        return;
      }
      if (p.length > 1) flow.tlsPending = null;
    }
    if (seg.len > 0) flow.payloadSeen = true;
    if (this.inspector !== null && seg.len > 0 && !flow.uninspected) {
      const verdict = this.inspect(flow, fromInitiator, seg);
      if (verdict !== null && verdict.verdict !== 'pass') {
        if (verdict.verdict === 'drop') {
          flow.blocked = { rule: verdict.rule, reason: verdict.reason };
          this.record('fw.drop', seg, flow.key, flow.direction, verdict.rule, verdict.reason);
        } else {
          this.remove(flow);
          this.record('fw.reject', seg, flow.key, flow.direction, verdict.rule, verdict.reason, true);
          const cause = { by: this.id, rule: verdict.rule, detail: `reset by firewall ${this.id} (rule ${verdict.rule}): ${verdict.reason}` };
          const reply = resetReply(seg, this.id, cause);
          if (sentTo !== null) reply.setSource(sentTo.address, sentTo.port);
          const onward = resetOnward(seg, this.id, cause);
          if (fromInitiator && flow.nat !== null) onward.setSource(flow.nat.address, flow.nat.port);
          this.core.forward(reply, this);
          this.core.forward(onward, this);
        }
        return;
      }
    }
    if (seg.flags & (RST | FIN)) {
      if (seg.flags & FIN) {
        if (fromInitiator) flow.finFromInitiator = true;
        else flow.finFromResponder = true;
      }
      if (seg.flags & RST || (flow.finFromInitiator && flow.finFromResponder)) this.closing(flow);
    }
    if (fromInitiator && flow.nat !== null) seg.setSource(flow.nat.address, flow.nat.port, flow.natText!);
    this.core.forward(seg, this);
  }

  // ---- Rules ---------------------------------------------------------------------------------

  private decide(seg: NetSegment, direction: FirewallDirection): Decision {
    for (const rule of this.rules) {
      if (rule.direction !== undefined && rule.direction !== direction) continue;
      if (rule.port !== undefined && rule.port !== seg.dstPort) continue;
      if (rule.host !== undefined && !this.hostMatches(rule.host, seg.dstIp)) continue;
      return { allow: rule.action === 'allow', rule: rule.id!, mode: rule.mode ?? 'drop', tlsOnly: rule.tlsOnly === true };
    }
    return direction === 'outbound'
      ? { allow: true, rule: 'default-allow', mode: 'drop', tlsOnly: false }
      : { allow: false, rule: 'default-deny', mode: 'drop', tlsOnly: false };
  }

  private hostMatches(host: string, address: string): boolean {
    if (host === address) return true;
    if (this.core.resolve(host) === address) return true;
    return this.core.nodeByAddress(address)?.id === host;
  }

  private deny(
    seg: NetSegment,
    flow: string,
    direction: FirewallDirection,
    rule: string,
    mode: 'drop' | 'reject',
    reason: string,
    sentTo: Endpoint | null,
  ): void {
    if (mode === 'drop' || seg.flags & RST) {
      this.record('fw.drop', seg, flow, direction, rule, reason);
      return;
    }
    this.record('fw.reject', seg, flow, direction, rule, reason, false);
    const reply = resetReply(seg, this.id, { by: this.id, rule, detail: `rejected by firewall ${this.id} (rule ${rule}): ${reason}` });
    if (sentTo !== null) reply.setSource(sentTo.address, sentTo.port);
    this.core.forward(reply, this);
  }

  // ---- State ---------------------------------------------------------------------------------

  private track(seg: NetSegment, direction: FirewallDirection, decision: Decision): Flow {
    const now = this.core.sim.now;
    const key = `${seg.src}>${seg.dst}`;
    const reverseKey = `${seg.dst}>${seg.src}`;
    const flow = new Flow(
      key,
      reverseKey,
      this.id,
      direction,
      { address: seg.srcIp, port: seg.srcPort },
      { address: seg.dstIp, port: seg.dstPort },
      seg.conn,
      decision.rule,
      now,
    );
    if (decision.tlsOnly) flow.tlsPending = { rule: decision.rule, mode: decision.mode };
    this.index(seg.src, seg.dst, flow);
    this.index(seg.dst, seg.src, flow);
    this.flowTotal++;
    const midStream = (seg.flags & (SYN | ACK)) !== SYN;
    this.core.sim.trace.emit(this.id, 'fw.pass', { conn: seg.conn, flow: key, direction, midStream }, decision.rule);
    if (direction === 'outbound' && this.nat) {
      const port = this.allocateNatPort();
      flow.nat = { address: this.address, port };
      flow.natText = `${this.address}:${port}`;
      flow.natKey = `${port}|${seg.dst}`;
      let byRemote = this.natIn.get(port);
      if (byRemote === undefined) this.natIn.set(port, (byRemote = new Map()));
      byRemote.set(seg.dst, flow);
      this.natPorts.set(port, (this.natPorts.get(port) ?? 0) + 1);
      this.core.sim.trace.emit(this.id, 'nat.map', {
        conn: seg.conn,
        inside: seg.src,
        outside: `${this.address}:${port}`,
        remote: seg.dst,
      });
    }
    this.armTimer(flow);
    return flow;
  }

  private lifetime(flow: Flow): number {
    return flow.closing ? CLOSED_LINGER : this._idleTimeout;
  }

  /** One timer per flow, re-armed lazily: it fires at the first possible expiry and checks. */
  private armTimer(flow: Flow): void {
    const scheduler = this.core.sim.scheduler;
    const due = flow.lastSeen + this.lifetime(flow);
    if (flow.timer !== null && flow.timer.time > due) {
      scheduler.cancel(flow.timer);
      flow.timer = null;
    }
    if (flow.timer === null) {
      flow.timer = scheduler.at(Math.max(due, scheduler.now), () => {
        flow.timer = null;
        if (!flow.tracked) return;
        if (this.core.sim.now >= flow.lastSeen + this.lifetime(flow)) this.expire(flow);
        else this.armTimer(flow);
      });
    }
  }

  private closing(flow: Flow): void {
    if (flow.closing) return;
    flow.closing = true;
    this.armTimer(flow);
  }

  private expire(flow: Flow): void {
    const now = this.core.sim.now;
    this.remove(flow);
    if (!flow.closing) {
      const marker: Expired = { flow: flow.key, reverse: flow.reverseKey, natKey: flow.natKey, conn: flow.conn, direction: flow.direction };
      this.remember(this.expired, flow.key, marker);
      this.remember(this.expired, flow.reverseKey, marker);
      if (flow.natKey !== null) this.remember(this.expiredNat, flow.natKey, marker);
    }
    this.core.sim.trace.emit(this.id, 'fw.expire', { conn: flow.conn, flow: flow.key, idle: now - flow.lastSeen, closed: flow.closing }, flow.closing ? undefined : 'idle-timeout');
  }

  private remember(map: Map<string, Expired>, key: string, marker: Expired): void {
    map.delete(key);
    map.set(key, marker);
    if (map.size > MAX_EXPIRED) map.delete(map.keys().next().value!);
  }

  private forgetExpired(marker: Expired): void {
    if (this.expired.get(marker.flow) === marker) this.expired.delete(marker.flow);
    if (this.expired.get(marker.reverse) === marker) this.expired.delete(marker.reverse);
    if (marker.natKey !== null && this.expiredNat.get(marker.natKey) === marker) this.expiredNat.delete(marker.natKey);
  }

  private remove(flow: Flow): void {
    if (!flow.tracked) return;
    flow.tracked = false;
    this.flowTotal--;
    this.unindex(flow.initiatorText, flow.responderText, flow);
    this.unindex(flow.responderText, flow.initiatorText, flow);
    const byRemote = flow.nat !== null ? this.natIn.get(flow.nat.port) : undefined;
    if (byRemote !== undefined && byRemote.get(flow.responderText) === flow) {
      byRemote.delete(flow.responderText);
      if (byRemote.size === 0) this.natIn.delete(flow.nat!.port);
      const port = flow.nat!.port;
      const n = (this.natPorts.get(port) ?? 1) - 1;
      if (n > 0) this.natPorts.set(port, n);
      else this.natPorts.delete(port);
    }
    this.core.sim.scheduler.cancel(flow.timer);
    flow.timer = null;
    this.flowEnded?.(flow);
  }

  private index(src: string, dst: string, flow: Flow): void {
    let byDst = this.flows.get(src);
    if (byDst === undefined) this.flows.set(src, (byDst = new Map()));
    byDst.set(dst, flow);
  }

  private unindex(src: string, dst: string, flow: Flow): void {
    const byDst = this.flows.get(src);
    if (byDst === undefined || byDst.get(dst) !== flow) return;
    byDst.delete(dst);
    if (byDst.size === 0) this.flows.delete(src);
  }

  /** A segment of a connection whose state expired: silence or RST, per `idleMode`. */
  private idleVerdict(seg: NetSegment, marker: Expired | null, sentTo: Endpoint | null): void {
    const flow = marker?.flow ?? `${seg.src}>${seg.dst}`;
    const direction = marker?.direction ?? 'inbound';
    const reason = 'connection state expired (idle)';
    this.deny(seg, flow, direction, 'idle-timeout', this._idleMode === 'reset' ? 'reject' : 'drop', reason, sentTo);
  }

  private allocateNatPort(): number {
    for (let i = 0; i <= 65535 - FIRST_NAT_PORT; i++) {
      const port = this.nextNatPort;
      this.nextNatPort = port === 65535 ? FIRST_NAT_PORT : port + 1;
      if (!this.natPorts.has(port)) return port;
    }
    throw new Error(`firewall ${this.id} has no free NAT port`);
  }

  // ---- Inspection ----------------------------------------------------------------------------

  /** Feeds the segment's new in-order bytes (and any buffered ones they unblock) to the inspector. */
  private inspect(flow: Flow, fromInitiator: boolean, seg: NetSegment): InspectorVerdict | null {
    const direction: FirewallDirection = fromInitiator === (flow.direction === 'outbound') ? 'outbound' : 'inbound';
    return inspectInOrder(flow, streamsOf(flow)[fromInitiator ? 0 : 1], direction, seg, this.inspector!);
  }

  // ---- Records -------------------------------------------------------------------------------

  private record(
    type: 'fw.drop' | 'fw.reject',
    seg: NetSegment,
    flow: string,
    direction: FirewallDirection,
    rule: string,
    reason: string,
    both = false,
  ): void {
    const trace = this.core.sim.trace;
    if (type === 'fw.drop') trace.emit(this.id, 'fw.drop', Object.assign(segmentFields(seg), { flow, direction, reason }), rule);
    else trace.emit(this.id, 'fw.reject', Object.assign(segmentFields(seg), { flow, direction, reason, both }), rule);
  }
}
