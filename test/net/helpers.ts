/** Small helpers shared by the network tests. */
import { Simulation } from '../../src/sim/simulation.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';
import { Network } from '../../src/net/network.js';
import type { NetworkOptions } from '../../src/net/net-types.js';

export interface World {
  sim: Simulation;
  net: Network;
  records: AnyTraceRecord[];
  /** Records of the given types, in order. */
  of(...types: string[]): AnyTraceRecord[];
}

export function world(seed: string | number = 1, options?: NetworkOptions): World {
  const sim = new Simulation({ seed });
  const records: AnyTraceRecord[] = [];
  sim.trace.addSink((r) => records.push(r));
  const net = new Network(sim, options);
  return { sim, net, records, of: (...types) => records.filter((r) => types.includes(r.type)) };
}

export const text = new TextEncoder();
export const untext = new TextDecoder();

export function bytes(n: number, seed = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 255;
  return b;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Byte equality without a deep-equality walk (which is slow on large arrays). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}
