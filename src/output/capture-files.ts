/**
 * The capture's files from its packets (pcap.ts makes them, in order): capture.pcap, the MSRP
 * traffic in the classic format, and capture.pcapng, every packet with its comment on an interface
 * per pair of nodes (pcapng.ts). Each is written as the packets come; pcapng's interfaces are known
 * only at the end, so its head (section header and interfaces) is asked for last and goes first.
 */
import { SNAP_LENGTH, frameLength, pcapHeader, pcapRecord, writeEthernetFrame, type Packet } from './capture-packets.js';
import { concatBytes, pcapngInterfaceBlock, pcapngPacketBlock, pcapngSectionHeader, type PcapngInterface } from './pcapng.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** A capture file written as its packets come: its body in pieces, its head at the end. */
export interface CaptureFileWriter {
  packet(p: Packet): void;
  /**
   * What goes before the pieces written (pcapng: the section header and the interfaces, known only
   * now; pcap: nothing, its header was the first piece).
   */
  head(): Uint8Array;
  /** The whole file, head and pieces, where the writer was given nowhere to write (it kept them). */
  whole(): Uint8Array;
}

/** capture.pcap: the MSRP traffic, each packet a record handed to `write`. */
function pcapFileWriter(write: (bytes: Uint8Array) => void): Omit<CaptureFileWriter, 'whole'> {
  let ipId = 0;
  let started = false;
  return {
    packet(p) {
      if (p.sip) return;
      if (!started) {
        started = true;
        write(pcapHeader());
      }
      ipId = (ipId + 1) & 0xffff;
      write(pcapRecord(p, ipId));
    },
    head: () => (started ? new Uint8Array(0) : pcapHeader()),
  };
}

/**
 * capture.pcapng: an Enhanced Packet Block per packet handed to `write`, and one interface per pair
 * of nodes, in the order of their first packet, named `first<->second`.
 */
function pcapngFileWriter(write: (bytes: Uint8Array) => void, hosts: ReadonlyMap<string, { name: string; address: string }>): Omit<CaptureFileWriter, 'whole'> {
  const interfaces: PcapngInterface[] = [];
  const index = new Map<string, number>();
  const describe = (node: string): string => {
    const h = hosts.get(node);
    return h ? `${node} (${h.name}, ${h.address})` : node;
  };
  let ipId = 0;
  return {
    packet(p) {
      const key = p.srcNode < p.dstNode ? `${p.srcNode}\0${p.dstNode}` : `${p.dstNode}\0${p.srcNode}`;
      let iface = index.get(key);
      if (iface === undefined) {
        iface = interfaces.length;
        index.set(key, iface);
        interfaces.push({ name: `${p.srcNode}<->${p.dstNode}`, description: `${describe(p.srcNode)} <-> ${describe(p.dstNode)}`, linkType: 1, snapLength: SNAP_LENGTH });
      }
      ipId = (ipId + 1) & 0xffff;
      const id = ipId;
      write(pcapngPacketBlock({ iface, t: p.t, data: { length: frameLength(p), write: (buf, at) => writeEthernetFrame(buf, at, p, id) }, comment: p.comment }));
    },
    head: () => concatBytes([pcapngSectionHeader('msrp-sim'), ...interfaces.map(pcapngInterfaceBlock)]),
  };
}

/**
 * A capture file's writer for `format`, handing its pieces to `write` as packets come, or keeping
 * them (`write` null) for `whole()`.
 */
export function captureFileWriter(format: CaptureFormat, write: ((bytes: Uint8Array) => void) | null, hosts: ReadonlyMap<string, { name: string; address: string }>): CaptureFileWriter {
  const kept: Uint8Array[] = [];
  const w = format === 'pcap' ? pcapFileWriter(write ?? ((b) => kept.push(b))) : pcapngFileWriter(write ?? ((b) => kept.push(b)), hosts);
  return {
    packet: (p) => w.packet(p),
    head: () => w.head(),
    whole: () => {
      if (write !== null) throw new Error('capture: the pieces went to their writer');
      return concatBytes([w.head(), ...kept]);
    },
  };
}

