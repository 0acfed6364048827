/**
 * Test peers that misbehave on purpose: a relay-less MSRP endpoint whose answers are scripted
 * (a next hop that answers 415, 413, 481 or nothing at all), built from the network's bare TCP
 * and the codec, so that what it sends is still real bytes on the simulated wire. It answers SDP
 * offers through the world's signalling core like an endpoint would.
 */
import type { TcpConnection } from '../../src/net/index.js';
import type { World } from '../../src/nodes/world.js';
import type { OfferReceived, SignallingPeer } from '../../src/nodes/signalling.js';
import { frameFields } from '../../src/nodes/frame-record.js';
import { buildAnswer } from '../../src/signal/offer-answer.js';
import { buildResponse } from '../../src/wire/builder.js';
import { MsrpParser } from '../../src/wire/parser.js';
import { serializeFrame } from '../../src/wire/serializer.js';
import type { MsrpFrame, MsrpRequest } from '../../src/wire/frame.js';

/** What the peer answers to a request: a status code, or null for silence. */
export type Script = (request: MsrpRequest, peer: ScriptedPeer) => number | null;

export interface ScriptedPeerOptions {
  host: string;
  port: number;
  scheme?: 'msrp' | 'msrps';
  acceptTypes?: string[];
  /** Default: 200 to everything but REPORT (which is never answered). */
  script?: Script;
}

export interface Received {
  t: number;
  conn: string;
  frame: MsrpFrame;
}

export class ScriptedPeer implements SignallingPeer {
  readonly received: Received[] = [];
  readonly sessionUris: string[] = [];
  script: Script;
  private readonly conns: TcpConnection[] = [];
  private readonly bySession = new Map<string, string>();

  constructor(
    readonly world: World,
    readonly id: string,
    readonly options: ScriptedPeerOptions,
  ) {
    this.script = options.script ?? ((r) => (r.method === 'REPORT' ? null : 200));
    // The signalling core finds peers in the world's endpoint table, and world.start() starts them.
    (world.endpoints as Map<string, unknown>).set(id, this);
  }

  get sipHost(): string {
    return this.options.host;
  }

  get scheme(): 'msrp' | 'msrps' {
    return this.options.scheme ?? 'msrp';
  }

  /** Requests received so far. */
  get requests(): MsrpRequest[] {
    return this.received.map((r) => r.frame).filter((f): f is MsrpRequest => f.kind === 'request');
  }

  start(): void {
    const host = this.world.network.host(this.id);
    host.listen(
      this.options.port,
      (tcp) => this.adopt(tcp),
      this.scheme === 'msrps' ? { certificateNames: [this.options.host] } : undefined,
    );
  }

  /** Opens a connection of its own (for raw writes). */
  connect(hostName: string, port: number, tls: boolean): TcpConnection {
    const tcp = this.world.network.host(this.id).connect({ host: hostName, port, tls: tls ? { serverName: hostName } : undefined }, {});
    this.adopt(tcp);
    return tcp;
  }

  /** Writes raw bytes on a connection it holds (the newest when none is named). */
  write(bytes: Uint8Array | string, tcp: TcpConnection = this.conns[this.conns.length - 1]!): void {
    tcp.write(typeof bytes === 'string' ? new Uint8Array(Buffer.from(bytes, 'utf8')) : bytes);
  }

  private adopt(tcp: TcpConnection): void {
    this.conns.push(tcp);
    const parser = new MsrpParser({
      frame: (frame) => this.onFrame(tcp, frame),
      error: () => undefined,
    });
    tcp.setHandlers({ onData: (_c, bytes) => parser.push(bytes) });
  }

  private onFrame(tcp: TcpConnection, frame: MsrpFrame): void {
    this.received.push({ t: this.world.sim.now, conn: tcp.id, frame });
    this.world.sim.trace.emit(this.id, 'msrp.recv', { conn: tcp.id, ...frameFields(frame, null) });
    if (frame.kind !== 'request') return;
    const code = this.script(frame, this);
    if (code === null) return;
    const response = buildResponse({
      transactionId: frame.transactionId,
      statusCode: code,
      toPath: frame.method === 'SEND' ? [frame.fromPath[0]!] : frame.fromPath,
      fromPath: [frame.toPath[0]!],
    });
    const bytes = serializeFrame(response);
    this.world.sim.trace.emit(this.id, 'msrp.send', { conn: tcp.id, offset: 0, length: bytes.length, ...frameFields(response, bytes) });
    tcp.write(bytes);
  }

  onOffer(sessionId: string, from: string, offer: OfferReceived, reoffer = false): void {
    if (!offer.ok) return;
    // A new offer in a session (re-INVITE) keeps the session's URI.
    let uri = reoffer ? this.bySession.get(sessionId) : undefined;
    if (uri === undefined) {
      uri = `${this.scheme}://${this.options.host}:${this.options.port}/${this.id}s${this.sessionUris.length}x4k2q;tcp`;
      this.sessionUris.push(uri);
      this.bySession.set(sessionId, uri);
    }
    const result = buildAnswer(offer.offer, {
      origin: { username: this.id, sessionId: '1', version: '1' },
      path: [uri],
      acceptTypes: this.options.acceptTypes ?? ['*'],
    });
    if (!result.ok) throw new Error(`scripted peer ${this.id} cannot answer: ${result.reason}`);
    this.world.signalling.answer(sessionId, this.id, from, { ok: true, answer: result.answer });
  }

  onAnswer(): void {}
  onBye(): void {}
}
