/**
 * The SIP signalling in capture.pcapng (pcap.ts): `sip.send` records as TCP segments between the
 * two nodes' addresses.
 */
import type { Micros } from '../sim/time.js';
import type { Packet } from './capture-packets.js';

const SIP_PORT = 5060;

export interface SipSent {
  t: Micros;
  rec: number;
  from: string;
  to: string;
  label: string;
  session: string;
  bytes: Uint8Array;
}

/**
 * SIP over TCP (as the messages' Via says), one connection per pair of signalling endpoints from
 * port 5060 to port 5060 between their addresses, opened by the first message between them
 * (SYN, SYN-ACK and ACK at that message's time); each message is one segment, sent when its
 * `sip.send` record says, and acknowledges what the other side sent before.
 */
export class SipStreams {
  private readonly streams = new Map<string, Map<string, { next: number }>>();

  constructor(private readonly hosts: ReadonlyMap<string, { address: string }>) {}

  /** The packets of one message (and of the connection it opens). */
  message(m: SipSent): Packet[] {
    const from = this.hosts.get(m.from)?.address;
    const to = this.hosts.get(m.to)?.address;
    if (from === undefined || to === undefined) return []; // no address to send from or to
    const out: Packet[] = [];
    const key = [m.from, m.to].sort().join('\0');
    const src = `${from}:${SIP_PORT}`;
    const dst = `${to}:${SIP_PORT}`;
    const base = { t: m.t, rec: m.rec, src, dst, payload: null, mss: null, srcNode: m.from, dstNode: m.to, sip: true };
    let s = this.streams.get(key);
    if (!s) {
      const a = { next: isnOf(`sip ${m.from} ${m.to}`) };
      const b = { next: isnOf(`sip ${m.to} ${m.from}`) };
      s = new Map([[m.from, a], [m.to, b]]);
      this.streams.set(key, s);
      const opening = `opening the SIP connection from ${m.from} to ${m.to} for this ${m.label}`;
      out.push({ ...base, sub: -3, seq: a.next, ack: 0, flags: 'S', mss: 1460, comment: `seq=${m.rec} sip.send TCP SYN ${opening}` });
      out.push({ ...base, sub: -2, src: dst, dst: src, srcNode: m.to, dstNode: m.from, seq: b.next, ack: (a.next + 1) >>> 0, flags: 'SA', mss: 1460, comment: `seq=${m.rec} sip.send TCP SYN,ACK ${opening}` });
      a.next = (a.next + 1) >>> 0;
      b.next = (b.next + 1) >>> 0;
      out.push({ ...base, sub: -1, seq: a.next, ack: b.next, flags: 'A', comment: `seq=${m.rec} sip.send TCP ACK ${opening}` });
    }
    const mine = s.get(m.from)!;
    const theirs = s.get(m.to)!;
    const session = m.session !== '' ? `, session ${m.session}` : '';
    out.push({ ...base, sub: 0, seq: mine.next, ack: theirs.next, flags: 'PA', payload: m.bytes, comment: `seq=${m.rec} sip.send ${m.label} from ${m.from} to ${m.to}${session}` });
    mine.next = (mine.next + m.bytes.length) >>> 0;
    return out;
  }
}

/** A fixed initial sequence number per SIP connection direction (FNV-1a of its name). */
function isnOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

