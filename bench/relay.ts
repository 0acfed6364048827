/**
 * Relay-path benchmark (SPEC §9, "Relay path"; issue 16).
 *
 * Real side, where Kamailio is installed: the repository's live-mode configuration
 * (config/kamailio/msrp-relay.cfg through scripts/kamailio.js, logging off, a free port on
 * 127.0.0.1, stopped by its PID). A pipelined load client on loopback authenticates two clients on
 * the one relay (RFC 4976 §5); A sends SENDs with 32-byte bodies to B through it, keeping 128
 * transactions in flight; B answers each with a 200. Messages B receives are counted over 5 s
 * after 1 s of warm-up. Kamailio's CPU time (every process of its group, from /proc) is read over
 * the same window.
 *
 * Simulated side: the same flow (one sender, one `kamailio`-profile relay, one receiver, 20,000
 * such messages; scripts/gen-relay-scenario.js) run by `msrp-sim run --only summary` in a process
 * of its own, wall time of the whole process, start-up included, and its CPU time.
 *
 * Prints both rates, the rates per CPU-second (which the neighbours' load does not inflate) and
 * their ratio; then, from the same run with one message (start-up, loading, the session's set-up),
 * the model's time per message and what 2× Kamailio's rate leaves it per message. `RELAY_MESSAGES=N` changes the simulated count; `RELAY_ROUNDS=N` repeats both
 * sides N times in turns (median reported).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MsrpParser } from '../src/wire/parser.js';
import type { MsrpFrame, MsrpResponse } from '../src/wire/frame.js';
import { computeDigestResponse, parseWwwAuthenticate } from '../src/wire/digest.js';
import type * as KamailioHarness from '../scripts/kamailio.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository: this file runs from .bench/bench/ after `tsc -p tsconfig.bench.json`. */
const root = resolve(here, '../..');

const IN_FLIGHT = 128;
const WARMUP_MS = 1000;
const MEASURE_MS = 5000;
const BODY = 'relay benchmark message, 32 B ..';

interface Figures {
  messages: number;
  wallSeconds: number;
  cpuSeconds: number;
  /** The load client's own CPU time over the window (real side only). */
  clientCpuSeconds?: number;
}

// --------------------------------------------------------------------------------------------
// The real relay

/** CPU seconds (user + system) used so far by every process of process group `pgid`. */
function groupCpuSeconds(pgid: number): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/u.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command (which may hold spaces) in parentheses: state ppid pgrp ...
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) !== pgid) continue;
    total += (Number(f[11]) + Number(f[12])) / tick;
  }
  return total;
}

/** A loopback MSRP connection, framed by msrp-sim's parser. */
class Client {
  private readonly parser: MsrpParser;
  private waiting = new Map<string, (r: MsrpResponse) => void>();
  onRequest: (f: MsrpFrame) => void = () => {};
  onResponse: (r: MsrpResponse) => void = () => {};

  private constructor(readonly socket: Socket) {
    this.parser = new MsrpParser({
      frame: (f) => {
        if (f.kind === 'response') {
          const w = this.waiting.get(f.transactionId);
          if (w !== undefined) {
            this.waiting.delete(f.transactionId);
            w(f);
          } else this.onResponse(f);
        } else this.onRequest(f);
      },
      error: () => {},
    });
    socket.setNoDelay(true);
    socket.on('data', (b: Buffer) => this.parser.push(b));
  }

  static connect(host: string, port: number): Promise<Client> {
    return new Promise((ok, fail) => {
      const s = createConnection({ host, port });
      s.once('connect', () => ok(new Client(s)));
      s.once('error', fail);
    });
  }

  request(tid: string, text: string): Promise<MsrpResponse> {
    return new Promise((ok) => {
      this.waiting.set(tid, ok);
      this.socket.write(text);
    });
  }

  /** AUTH (RFC 4976 §5): challenge, then Digest credentials; the Use-Path of the 200. */
  async auth(relayUri: string, myUri: string, user: string, password: string): Promise<string> {
    const frame = (tid: string, extra: string) => `MSRP ${tid} AUTH\r\nTo-Path: ${relayUri}\r\nFrom-Path: ${myUri}\r\n${extra}-------${tid}$\r\n`;
    const challenge = await this.request('au1', frame('au1', ''));
    const www = challenge.headers.find(([n]) => n.toLowerCase() === 'www-authenticate')?.[1] ?? '';
    const parsed = parseWwwAuthenticate(www);
    if (!parsed.ok) throw new Error(`no Digest challenge from the relay (${challenge.statusCode})`);
    const c = parsed.value;
    const cnonce = 'bench' + user;
    const response = computeDigestResponse({ username: user, realm: c.realm, password, uri: relayUri, nonce: c.nonce, nc: 1, cnonce, qop: 'auth' });
    const authorization =
      `Digest username="${user}", realm="${c.realm}", nonce="${c.nonce}", uri="${relayUri}", response="${response}", qop=auth, nc=00000001, cnonce="${cnonce}"` +
      (c.opaque !== undefined ? `, opaque="${c.opaque}"` : '');
    const ok = await this.request('au2', frame('au2', `Authorization: ${authorization}\r\n`));
    const usePath = ok.headers.find(([n]) => n.toLowerCase() === 'use-path')?.[1];
    if (ok.statusCode !== 200 || usePath === undefined) throw new Error(`AUTH as ${user} refused (${ok.statusCode})`);
    return usePath;
  }

  close(): void {
    this.socket.destroy();
  }
}

async function realRelay(): Promise<Figures | null> {
  const { findKamailio, startKamailio } = (await import(resolve(root, 'scripts/kamailio.js'))) as typeof KamailioHarness;
  if (findKamailio() === null) return null;
  const k = await startKamailio({ users: { a: 'pa', b: 'pb' }, debug: -3 });
  try {
    const a = await Client.connect(k.host, k.port);
    const b = await Client.connect(k.host, k.port);
    const aUri = 'msrp://127.0.0.1:9/bench-a;tcp';
    const bUri = 'msrp://127.0.0.1:9/bench-b;tcp';
    const aPath = await a.auth(k.uri, aUri, 'a', 'pa');
    const bPath = await b.auth(k.uri, bUri, 'b', 'pb');
    const head = `To-Path: ${aPath} ${bPath} ${bUri}\r\nFrom-Path: ${aUri}\r\n`;
    const tail = `Byte-Range: 1-32/32\r\nContent-Type: text/plain\r\n\r\n${BODY}\r\n`;
    let next = 0;
    // B answers every SEND (RFC 4975 §7.2), hop by hop back through the relay; what it answers
    // in one read goes out in one write.
    let received = 0;
    let pendingAnswers = '';
    b.onRequest = (f) => {
      if (f.kind !== 'request' || f.method !== 'SEND') return;
      received++;
      const from = f.headers.find(([n]) => n === 'From-Path')?.[1] ?? '';
      pendingAnswers += `MSRP ${f.transactionId} 200 OK\r\nTo-Path: ${from.split(' ')[0]}\r\nFrom-Path: ${bUri}\r\n-------${f.transactionId}$\r\n`;
    };
    b.socket.on('data', () => {
      if (pendingAnswers !== '') {
        b.socket.write(pendingAnswers);
        pendingAnswers = '';
      }
    });
    // A keeps IN_FLIGHT transactions open: a new SEND for every response.
    // Kamailio may answer a SEND itself as well as pass B's answer back: one new SEND per
    // transaction, whichever response comes first.
    const open = new Set<string>();
    const send = (): string => {
      const tid = `t${(next++).toString(36)}`;
      open.add(tid);
      return `MSRP ${tid} SEND\r\n${head}Message-ID: m${tid}\r\n${tail}-------${tid}$\r\n`;
    };
    let more = '';
    a.onResponse = (r) => {
      if (open.delete(r.transactionId)) more += send();
    };
    a.socket.on('data', () => {
      if (more !== '') {
        a.socket.write(more);
        more = '';
      }
    });
    let first = '';
    for (let i = 0; i < IN_FLIGHT; i++) first += send();
    a.socket.write(first);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    const count0 = received;
    const cpu0 = groupCpuSeconds(k.pid);
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    const messages = received - count0;
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpuSeconds = groupCpuSeconds(k.pid) - cpu0;
    const client = process.cpuUsage(client0);
    const clientCpuSeconds = (client.user + client.system) / 1e6;
    a.close();
    b.close();
    return { messages, wallSeconds, cpuSeconds, clientCpuSeconds };
  } finally {
    await k.stop();
  }
}

// --------------------------------------------------------------------------------------------
// The simulation

function simulated(messages: number, dir: string): Figures {
  const scenario = join(dir, 'relay-bench.yaml');
  const gen = spawnSync(process.execPath, [resolve(root, 'scripts/gen-relay-scenario.js'), '--messages', String(messages), '--out', scenario], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`the scenario generator failed: ${gen.stderr}`);
  // bash's `times` prints the CPU time of the children (the msrp-sim process) after the run.
  const script = `"$0" "$1" run "$2" --only summary --out "$3" >/dev/null || exit $?; times`;
  const started = performance.now();
  const r = spawnSync('bash', ['-c', script, process.execPath, resolve(root, 'bin/msrp-sim.js'), scenario, join(dir, 'out')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const wallSeconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`msrp-sim run failed (${r.status}): ${r.stderr}`);
  const summary = JSON.parse(readFileSync(join(dir, 'out/summary.json'), 'utf8')) as { nodes: Record<string, { requestsReceived?: Record<string, number> }> };
  const got = summary.nodes['b']?.requestsReceived?.['SEND'] ?? 0;
  // The session's first, empty SEND (RFC 4975 §7.1.1) comes on top of the messages.
  if (got < messages) throw new Error(`the simulated receiver got ${got} SENDs of ${messages}`);
  // `times`: the shell's own line, then the children's: "0m1.234s 0m0.056s".
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const cpuSeconds = [...line.matchAll(/(\d+)m([\d.]+)s/gu)].reduce((s, m) => s + Number(m[1]) * 60 + Number(m[2]), 0);
  return { messages, wallSeconds, cpuSeconds };
}

const k = (n: number): string => `${(n / 1000).toFixed(1)} k`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<void> {
  const messages = Number(process.env.RELAY_MESSAGES ?? 20_000);
  const rounds = Math.max(1, Number(process.env.RELAY_ROUNDS ?? 1));
  const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-relay-bench-'));
  const realRates: number[] = [];
  const realCpu: number[] = [];
  const simRates: number[] = [];
  const simCpu: number[] = [];
  const simWall: number[] = [];
  const startWall: number[] = [];
  let absent = false;
  try {
    for (let round = 0; round < rounds; round++) {
      const real = absent ? null : await realRelay();
      if (real === null) absent = true;
      else {
        realRates.push(real.messages / real.wallSeconds);
        realCpu.push(real.messages / Math.max(real.cpuSeconds, 1e-9));
        console.log(`relay: Kamailio: ${real.messages} messages delivered to B in ${real.wallSeconds.toFixed(2)} s: ${k(real.messages / real.wallSeconds)} messages/s, Kamailio CPU ${real.cpuSeconds.toFixed(2)} s (${k(real.messages / real.cpuSeconds)} per CPU-second); load client CPU ${real.clientCpuSeconds!.toFixed(2)} s`);
      }
      const sim = simulated(messages, dir);
      // The same run with one message: start-up, loading and the session's set-up, which the
      // bar counts (the whole process is timed) and no number of messages makes up for.
      const start = simulated(1, dir);
      startWall.push(start.wallSeconds);
      simWall.push(sim.wallSeconds);
      simRates.push(sim.messages / sim.wallSeconds);
      simCpu.push(sim.messages / sim.cpuSeconds);
      console.log(`relay: msrp-sim: ${sim.messages} messages simulated in ${sim.wallSeconds.toFixed(2)} s (process, start-up included): ${k(sim.messages / sim.wallSeconds)} messages/s, CPU ${sim.cpuSeconds.toFixed(2)} s (${k(sim.messages / sim.cpuSeconds)} per CPU-second); the same run with one message ${start.wallSeconds.toFixed(2)} s`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sim = median(simRates);
  const simPerCpu = median(simCpu);
  if (absent) {
    console.log(`relay: kamailio is not installed: simulated rate only, ${k(sim)} messages/s (${k(simPerCpu)} per CPU-second)`);
    return;
  }
  const real = median(realRates);
  const realPerCpu = median(realCpu);
  // What 2× asks of the model: the whole run in messages / (2 × Kamailio's rate), start-up included.
  const startup = median(startWall);
  const perMessage = (median(simWall) - startup) / messages;
  const budget = (messages / (2 * real) - startup) / messages;
  console.log(
    `relay: the model takes ${(perMessage * 1e6).toFixed(1)} µs per message after ${startup.toFixed(2)} s of start-up; ` +
      `2× Kamailio leaves it ${budget > 0 ? `${(budget * 1e6).toFixed(1)} µs` : 'no time at all'} per message for ${messages} messages`,
  );
  console.log(
    `relay: simulated ${k(sim)}/s against Kamailio ${k(real)}/s: ${(sim / real).toFixed(2)}× (bar: 2×, aim 3×); ` +
      `per CPU-second ${k(simPerCpu)} against ${k(realPerCpu)}: ${(simPerCpu / realPerCpu).toFixed(2)}×`,
  );
}
