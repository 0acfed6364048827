/**
 * The chunks a relay writes for one chunk it received (RFC 4976 §6.4.1; CHECKLIST ):
 * the message sender's listener at a relay. Each chunk written on the next hop's connection is a
 * forwarded transaction; bytes that connection closed on before they went out in a complete chunk
 * are undeliverable. The forwarding decision (relay-forwarding.ts) acts on both.
 */
import type { ByteRange, FailureReport, MsrpRequest } from '../wire/frame.js';
import type { MessageSender, SenderEvent, SenderListener } from './message-sender.js';

/** Where one received chunk came from and where the relay sends it on. */
export interface ForwardedChunkOrigin<C> {
  inConn: C;
  /** The request as received (its head, for a cut-through chunk still arriving). */
  frame: MsrpRequest;
  target: C;
  paths: { toPath: string[]; fromPath: string[] };
  /** This relay's own URI in the request's To-Path. */
  own: string;
  fr: FailureReport;
  /** The Byte-Range received. */
  range: ByteRange;
  /** Bytes of the body received so far (a cut-through chunk grows). */
  received: { bytes: number };
}

/** The side that acts on a forwarded chunk's events (the relay's forwarding decision). */
export interface ChunkForwarder<C> {
  /** A chunk's last byte was written on the next hop's connection (its transaction's timer starts, A-13). */
  chunkWritten(origin: ForwardedChunkOrigin<C>, chunk: MsrpRequest, range: ByteRange): void;
  /** The next hop's connection closed before the bytes from `from` (1-based) went out in a complete chunk. */
  chunkAbandoned(origin: ForwardedChunkOrigin<C>, from: number): void;
}

export class ForwardedChunks<C> implements SenderListener {
  constructor(
    private readonly forwarder: ChunkForwarder<C>,
    readonly origin: ForwardedChunkOrigin<C>,
  ) {}

  senderEvent(_sender: MessageSender, event: SenderEvent): void {
    if (event.type === 'chunk') this.forwarder.chunkWritten(this.origin, event.frame, event.range);
    else if (event.type === 'abandoned') this.forwarder.chunkAbandoned(this.origin, event.from);
  }
}
