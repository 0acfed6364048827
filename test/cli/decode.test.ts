import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCliAsync } from '../helpers/exec.js';
import { tcpCapture, type PcapOptions, type TcpSpec } from '../helpers/pcap-writer.js';
import { MALFORMED, OK, SEND, binarySend, enc } from './fixtures.js';

let dir: string;
const file = (name: string, content: Uint8Array | string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const jsonLines = (out: Buffer): Record<string, unknown>[] =>
  out
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'msrp-sim-decode-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('msrp-sim decode: raw bytes', () => {
  it('text: a readable dump of both frames', async () => {
    const r = (await runCliAsync(['decode', file('two.msrp', SEND + OK)]));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout.toString('utf8');
    expect(out).toContain('# frame 1: request SEND');
    expect(out).toContain('MSRP a786hjs2 SEND\n');
    expect(out).toContain('To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\n');
    expect(out).toContain('Content-Type: text/plain\n\nHey Bob, are you there?\n');
    expect(out).toContain('-------a786hjs2$  (last chunk of the message)');
    expect(out).toContain('# frame 2: response 200');
    expect(out).toContain('MSRP a786hjs2 200 OK\n');
    expect(out).not.toContain('\u001b[');
  });

  it('json: one object per frame with exactly the fields of SPEC §6', async () => {
    const r = (await runCliAsync(['decode', '--format', 'json', file('two.msrp', SEND + OK)]));
    expect(r.status).toBe(0);
    const [send, ok, ...rest] = jsonLines(r.stdout);
    expect(rest).toEqual([]);
    expect(Object.keys(send!)).toEqual([
      'kind', 'transactionId', 'method', 'toPath', 'fromPath', 'headers', 'body', 'bodyEncoding', 'bodyLength', 'continuation', 'violations',
    ]);
    expect(send).toEqual({
      kind: 'request',
      transactionId: 'a786hjs2',
      method: 'SEND',
      toPath: ['msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp'],
      fromPath: ['msrp://atlanta.example.com:7654/jshA7weztas;tcp'],
      headers: [
        ['To-Path', 'msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp'],
        ['From-Path', 'msrp://atlanta.example.com:7654/jshA7weztas;tcp'],
        ['Message-ID', '87652491'],
        ['Byte-Range', '1-23/23'],
        ['Content-Type', 'text/plain'],
      ],
      body: 'Hey Bob, are you there?',
      bodyEncoding: 'utf8',
      bodyLength: 23,
      continuation: '$',
      violations: [],
    });
    expect(Object.keys(ok!)).toEqual([
      'kind', 'transactionId', 'status', 'comment', 'toPath', 'fromPath', 'headers', 'body', 'bodyEncoding', 'bodyLength', 'continuation', 'violations',
    ]);
    expect(ok).toMatchObject({ kind: 'response', transactionId: 'a786hjs2', status: 200, comment: 'OK', body: null, continuation: '$' });
  });

  it('wire: canonical input comes back byte for byte', async () => {
    const input = enc.encode(SEND + OK);
    const r = (await runCliAsync(['decode', '--format', 'wire', file('two.msrp', input)]));
    expect(r.status).toBe(0);
    expect(Buffer.compare(r.stdout, Buffer.from(input))).toBe(0);
  });

  it('wire: a received frame the parser accepted comes back as it came, never an internal error', async () => {
    // The body holds "-------<tid>$" followed by other bytes: not an end-line (it needs CRLF
    // before and after), so a receiver reads the frame right, though a sender must not write it (W-09).
    const dashes = enc.encode(
      'MSRP dl92kd01 SEND\r\nTo-Path: msrp://bob.example.net:8492/kd83hs7;tcp\r\nFrom-Path: msrp://alice.example.org:7113/pq71xz;tcp\r\n' +
        'Message-ID: mdl001\r\nByte-Range: 1-*/*\r\nContent-Type: text/plain\r\n\r\n--------dl92kd01$\r\n-------dl92kd01$x\r\n-------dl92kd01$\r\n',
    );
    // A response without To-Path and From-Path: lenient reading keeps it, with W-11 violations.
    const pathless = enc.encode('MSRP nt92kd01 200 OK\r\n-------nt92kd01$\r\n');
    for (const input of [dashes, pathless]) {
      const r = (await runCliAsync(['decode', '--format', 'wire', file('odd.msrp', input)]));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(Buffer.compare(r.stdout, Buffer.from(input))).toBe(0);
    }
  });

  it('reads standard input with "-"', async () => {
    const r = (await runCliAsync(['decode', '-f', 'json', '-'], { input: SEND + OK }));
    expect(r.status).toBe(0);
    expect(jsonLines(r.stdout).map((f) => f.transactionId)).toEqual(['a786hjs2', 'a786hjs2']);
  });

  it('binary bodies: base64 in JSON, a hex note in text', async () => {
    const body = new Uint8Array(300).map((_, k) => (k * 37 + 0x80) & 0xff);
    const input = binarySend(body);
    const json = (await runCliAsync(['decode', '-f', 'json', file('bin.msrp', input)]));
    expect(json.status).toBe(0);
    const [frame] = jsonLines(json.stdout);
    expect(frame).toMatchObject({ bodyEncoding: 'base64', bodyLength: 300, body: Buffer.from(body).toString('base64') });
    const text = (await runCliAsync(['decode', file('bin.msrp', input)]));
    expect(text.stdout.toString()).toContain('[binary body, 300 bytes, first 64 shown]');
    expect(text.stdout.toString()).toContain('[... 236 more bytes]');
    const wire = (await runCliAsync(['decode', '-f', 'wire', file('bin.msrp', input)]));
    expect(Buffer.compare(wire.stdout, Buffer.from(input))).toBe(0);
  });

  it('--strict accepts canonical frames', async () => {
    const r = (await runCliAsync(['decode', '--strict', '-f', 'wire', file('two.msrp', SEND + OK)]));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Buffer.compare(r.stdout, Buffer.from(enc.encode(SEND + OK)))).toBe(0);
  });

  it('an empty input has no frames and is fine', async () => {
    const r = (await runCliAsync(['decode', '-'], { input: '' }));
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe(0);
  });

  it('a malformed frame: error line with offset and rule, exit 1', async () => {
    // A header line without a colon: the frame is dropped, the framing kept.
    const broken = SEND.replace('Message-ID: 87652491', 'Message-ID 87652491');
    const r = (await runCliAsync(['decode', file('bad.msrp', SEND + broken + OK)]));
    expect(r.status).toBe(1);
    const m = /^decode: malformed frame at byte (\d+): (W-\d+) .+$/m.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const offset = Number(m![1]);
    expect(offset).toBeGreaterThanOrEqual(enc.encode(SEND).length);
    expect(offset).toBeLessThan(enc.encode(SEND + broken).length);
    expect(r.stdout.toString()).toContain('MSRP a786hjs2 SEND');
    expect(r.stdout.toString()).toContain('MSRP a786hjs2 200 OK');
  });
});

describe('msrp-sim decode: resynchronising after garbage', () => {
  const junk = 'GARBAGE\r\nnot msrp at all\r\n';
  const sendLen = enc.encode(SEND).length;
  const okLen = enc.encode(OK).length;
  const skipped = (stderr: string) => [...stderr.matchAll(/^decode: malformed input at byte (\d+): (\d+) bytes skipped .*$/gm)].map((m) => [Number(m[1]), Number(m[2])]);

  it('garbage before, between and after frames: every frame decoded, each run of garbage reported with its offset, exit 1', async () => {
    const input = junk + SEND + junk + OK + junk + SEND + junk;
    const r = await runCliAsync(['decode', '-f', 'json', file('junk.msrp', input)]);
    expect(r.status).toBe(1);
    expect(jsonLines(r.stdout).map((f) => f.kind)).toEqual(['request', 'response', 'request']);
    const j = junk.length;
    expect(skipped(r.stderr)).toEqual([
      [0, j],
      [j + sendLen, j],
      [2 * j + sendLen + okLen, j],
      [3 * j + 2 * sendLen + okLen, j],
    ]);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(4);
  });

  it('a frame that breaks its framing (a start line without the MSRP tag) is skipped up to the next start line', async () => {
    const r = await runCliAsync(['decode', '-f', 'json', file('bad.msrp', SEND + MALFORMED + OK)]);
    expect(r.status).toBe(1);
    expect(jsonLines(r.stdout).map((f) => f.kind)).toEqual(['request', 'response']);
    expect(skipped(r.stderr)).toEqual([[sendLen, enc.encode(MALFORMED).length]]);
    expect(r.stderr).toContain('W-10');
  });

  it('garbage split across the pieces standard input comes in is found the same way', async () => {
    const input = SEND + junk + 'MSRP' + ' not-a-frame\r\n' + OK;
    const r = await runCliAsync(['decode', '-f', 'json', '-'], { input });
    expect(r.status).toBe(1);
    expect(jsonLines(r.stdout).map((f) => f.kind)).toEqual(['request', 'response']);
    expect(skipped(r.stderr)).toEqual([[sendLen, junk.length + 'MSRP not-a-frame\r\n'.length]]);
  });
});

describe('msrp-sim decode: what a tolerant receiver accepts (docs/tolerance.md)', () => {
  // Cosmetic: header-name case, two SP after a colon, a tab after a colon: noted, exit 0.
  const cosmetic = SEND.replace('Message-ID: ', 'message-id:  ').replace('Byte-Range: ', 'Byte-Range:\t');
  // Unactionable: a Success-Report that is neither yes nor no (W-29): the frame is shown, exit 1.
  const unactionable = SEND.replace('Content-Type:', 'Success-Report: maybe\r\nContent-Type:');

  it('a cosmetic deviation: the frame with its violations, exit 0', async () => {
    const r = (await runCliAsync(['decode', '-f', 'json', file('cosmetic.msrp', cosmetic + OK)]));
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const [send] = jsonLines(r.stdout);
    expect((send!.violations as { rule: string }[]).map((v) => v.rule)).toEqual(['W-14', 'W-12', 'W-12']);
  });

  it('a value a receiver cannot act on: the frame is shown, the error names the rule, exit 1', async () => {
    const r = (await runCliAsync(['decode', '-f', 'json', file('unactionable.msrp', unactionable + OK)]));
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toMatch(/^decode: malformed frame at byte \d+: W-29 Success-Report "maybe" is neither yes nor no \(frame 1, a786hjs2\); the rule: docs\/rules\.md#w-29$/m);
    const frames = jsonLines(r.stdout);
    expect(frames.map((f) => f.transactionId)).toEqual(['a786hjs2', 'a786hjs2']);
    expect(frames[0]!.violations).toEqual([{ rule: 'W-29', message: 'Success-Report "maybe" is neither yes nor no', malformed: true }]);
    // --strict refuses the cosmetic one as well.
    expect((await runCliAsync(['decode', '--strict', file('cosmetic.msrp', cosmetic)])).status).toBe(1);
  });
});

describe('msrp-sim decode: usage', () => {
  it('unknown format -> exit 2', async () => {
    const r = (await runCliAsync(['decode', '--format', 'xml', file('two.msrp', SEND + OK)]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/xml/);
    expect(r.stdout.length).toBe(0);
  });

  it('missing file -> exit 2', async () => {
    const r = (await runCliAsync(['decode', join(dir, 'does-not-exist.msrp')]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^decode: cannot read .*does-not-exist\.msrp: no such file$/m);
  });

  it('unknown option, unknown command, no command -> exit 2', async () => {
    expect((await runCliAsync(['decode', '--bogus'])).status).toBe(2);
    expect((await runCliAsync(['bogus'])).status).toBe(2);
    expect((await runCliAsync([])).status).toBe(2);
  });

  it('a damaged pcapng file (its section header cut short) is refused with exit 2', async () => {
    const r = (await runCliAsync(['decode', file('x.pcapng', new Uint8Array([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]))]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^decode: .*x\.pcapng: .*pcapng/m);
  });

  it('--help: exit 0 with examples', async () => {
    const sub = (await runCliAsync(['decode', '--help']));
    expect(sub.status).toBe(0);
    expect(sub.stdout.toString()).toMatch(/Usage: msrp-sim decode/);
    expect(sub.stdout.toString()).toMatch(/Examples:\n {2}\$ msrp-sim decode/);
    const top = (await runCliAsync(['--help']));
    expect(top.status).toBe(0);
    expect(top.stdout.toString()).toMatch(/Examples:/);
    expect(top.stdout.toString()).toMatch(/decode/);
  });
});

describe('msrp-sim decode: pcap', () => {
  const client = { src: '10.0.0.1', srcPort: 50000, dst: '10.0.0.2', dstPort: 2855 };
  const server = { src: '10.0.0.2', srcPort: 2855, dst: '10.0.0.1', dstPort: 50000 };
  const send = enc.encode(SEND);
  const ok = enc.encode(OK);

  /** Handshake, the SEND in pieces with a gap, a duplicate and an overlapping retransmission, then the 200. */
  function segments(c = client, s = server, isn = 1000): TcpSpec[] {
    const d = isn + 1;
    return [
      { ...c, seq: isn, syn: true },
      { ...s, seq: 5000, syn: true },
      { ...c, seq: d, payload: send.subarray(0, 40) },
      { ...c, seq: d + 80, payload: send.subarray(80) },
      { ...c, seq: d, payload: send.subarray(0, 40) },
      { ...c, seq: d + 30, payload: send.subarray(30, 80) },
      { ...s, seq: 5001, payload: ok },
    ];
  }

  const raw = async () => jsonLines((await runCliAsync(['decode', '-f', 'json', file('two.msrp', SEND + OK)])).stdout);

  it('reassembles each direction and prints the frames in capture order with their stream', async () => {
    const r = (await runCliAsync(['decode', '-f', 'json', file('c.pcap', tcpCapture(segments()))]));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const frames = jsonLines(r.stdout);
    expect(frames.map((f) => f.stream)).toEqual(['10.0.0.1:50000 -> 10.0.0.2:2855', '10.0.0.2:2855 -> 10.0.0.1:50000']);
    expect(frames.map(({ stream: _s, time: _t, ...rest }) => rest)).toEqual(await raw());
  });

  it('text names the stream and the packet that completed the frame; wire gives the bytes', async () => {
    const pcap = file('c.pcap', tcpCapture(segments()));
    const text = (await runCliAsync(['decode', pcap])).stdout.toString();
    expect(text).toContain('# frame 1: request SEND (stream 10.0.0.1:50000 -> 10.0.0.2:2855, packet 6)');
    expect(text).toContain('# frame 2: response 200 (stream 10.0.0.2:2855 -> 10.0.0.1:50000, packet 7)');
    const wire = (await runCliAsync(['decode', '-f', 'wire', pcap]));
    expect(Buffer.compare(wire.stdout, Buffer.from(enc.encode(SEND + OK)))).toBe(0);
  });

  const variants: [string, PcapOptions, boolean][] = [
    ['big-endian, nanoseconds, raw IP (101)', { littleEndian: false, nanoseconds: true, linkType: 101 }, false],
    ['little-endian, nanoseconds, raw IPv4 (228)', { littleEndian: true, nanoseconds: true, linkType: 228 }, false],
    ['big-endian, microseconds, Ethernet', { littleEndian: false, linkType: 1 }, false],
    ['Linux cooked (113)', { linkType: 113 }, false],
    ['IPv6 over Ethernet', { linkType: 1 }, true],
  ];
  it.each(variants)('%s decodes to the same frames', async (_name, options, v6) => {
    const c = v6 ? { src: '2001:db8::1', srcPort: 50000, dst: '2001:db8::2', dstPort: 2855 } : client;
    const s = v6 ? { src: '2001:db8::2', srcPort: 2855, dst: '2001:db8::1', dstPort: 50000 } : server;
    // Sequence numbers that wrap around 2^32 in the middle of the SEND.
    const r = (await runCliAsync(['decode', '-f', 'json', file('v.pcap', tcpCapture(segments(c, s, 0xffffffd0), options))]));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const frames = jsonLines(r.stdout);
    expect(frames.map(({ stream: _s, time: _t, ...rest }) => rest)).toEqual(await raw());
    if (v6) expect(frames[0]!.stream).toBe('[2001:db8::1]:50000 -> [2001:db8::2]:2855');
  });

  it('a malformed frame inside a stream names the stream offset and the stream', async () => {
    const bad = enc.encode(SEND + MALFORMED + OK);
    const r = (await runCliAsync(['decode', file('bad.pcap', tcpCapture([{ ...client, seq: 1, payload: bad }]))]));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `decode: malformed input at byte ${send.length}: ${enc.encode(MALFORMED).length} bytes skipped (W-10 expected a start line ("MSRP ...") between frames) [stream 10.0.0.1:50000 -> 10.0.0.2:2855]; the rule: docs/rules.md#w-10\n`,
    );
    expect(r.stdout.toString()).toContain('MSRP a786hjs2 200 OK');
  });

  it('bytes missing from the capture are reported', async () => {
    const r = (await runCliAsync([
      'decode',
      file('gap.pcap', tcpCapture([{ ...client, seq: 1, payload: send.subarray(0, 40) }, { ...client, seq: 81, payload: send.subarray(80) }])),
    ]));
    expect(r.stderr).toMatch(/decode: warning: stream 10\.0\.0\.1:50000 -> 10\.0\.0\.2:2855: 40 bytes missing from the capture at stream byte 40/);
  });

  it('an unsupported link type is refused with exit 2', async () => {
    const r = (await runCliAsync(['decode', file('l.pcap', tcpCapture([{ ...client, seq: 1, payload: send }], { linkType: 147 }))]));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/link type 147/);
  });
});
