/**
 * The built-in settings a scenario starts from (docs/scenario-format.md lists them), the relay
 * settings of each profile, and the conversions of values that have passed the shape check.
 */
import type { ScenarioFileNode } from './definition.js';
import { parseBandwidth, parseDuration, parseProbability, parseSeconds, parseSize } from './units.js';
import type { UnitResult } from './units.js';
import type { LinkSettings, Micros, RelayProfileName, ScenarioRelay } from './types.js';

/** A node's settings as written, in the node, under `defaults` or in a `set` event. */
export type RawEndpoint = Partial<Omit<Extract<ScenarioFileNode, { role: 'sender' }>, 'role'>>;
export type RawRelay = Partial<Omit<Extract<ScenarioFileNode, { role: 'relay' }>, 'role'>>;
export type RawFirewall = Partial<Omit<Extract<ScenarioFileNode, { role: 'firewall' }>, 'role'>>;
export type RawLinkSettings = { latency?: string; jitter?: string; bandwidth?: string; loss?: number | string; mss?: number };

/** Built-in settings; docs/scenario-format.md lists them. */
export const BUILTIN = {
  duration: 600_000_000,
  seed: 1,
  signallingDelay: 20_000,
  /** RFC 3261 §17.1.1.2: Timer B = 64 × T1, T1 = 500 ms. */
  inviteTimeout: 32_000_000,
  tcp: { connectTimeout: 20_000_000, rto: 1_000_000, maxRetries: 8 },
  link: { latency: 1_000, jitter: 0, bandwidth: 1_000_000_000, loss: 0, mss: 1460 } satisfies LinkSettings,
  port: 2855,
  firewallIdleTimeout: 7_440_000_000,
} as const;

/** Relay settings by profile (SPEC §3.2): msrprelay's and kamailio's documented values differ. */
export function relayProfileDefaults(profile: RelayProfileName): Pick<ScenarioRelay, 'expires' | 'probation' | 'maxFailedAuths' | 'nonceLifetime' | 'transactionTimeout' | 'idleLimit' | 'maxChunk'> {
  const base = {
    expires: { min: 60_000_000, default: 1_800_000_000, max: 3_600_000_000 },
    probation: 30_000_000,
    maxFailedAuths: 3,
    nonceLifetime: 300_000_000,
    transactionTimeout: 30_000_000,
    idleLimit: null,
    maxChunk: null,
  };
  // Kamailio's msrp module grants 3600 s and never closes a connection for failed AUTHs.
  if (profile === 'kamailio') return { ...base, expires: { ...base.expires, default: 3_600_000_000 }, maxFailedAuths: Number.POSITIVE_INFINITY };
  if (profile === 'msrprelay') return { ...base, expires: { min: 60_000_000, default: 600_000_000, max: 3_600_000_000 }, nonceLifetime: 15_000_000 };
  return base;
}

export function defaultHost(id: string): string {
  return `${id.toLowerCase().replace(/_/gu, '-')}.test`;
}

function must(r: UnitResult): number {
  if (!r.ok) throw new Error(`a value that passed the shape check does not parse: ${r.message}`);
  return r.value;
}
export const us = (v: string): Micros => must(parseDuration(v));
export const secs = (v: number | string): Micros => must(parseSeconds(v));
export const bytes = (v: number | string): number => must(parseSize(v));
export const bits = (v: string): number => must(parseBandwidth(v));
export const prob = (v: number | string): number => must(parseProbability(v));
export const yesNo = (v: 'yes' | 'no' | boolean): 'yes' | 'no' => (v === true ? 'yes' : v === false ? 'no' : v);
export const fr = (v: 'yes' | 'no' | 'partial' | boolean): 'yes' | 'no' | 'partial' => (v === true ? 'yes' : v === false ? 'no' : v);
export const tlsVersion = (v: string | number): '1.2' | '1.3' => (String(v) === '1.2' ? '1.2' : '1.3');
