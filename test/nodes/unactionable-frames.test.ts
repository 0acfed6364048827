/**
 * docs/tolerance.md at the nodes: a request a tolerant receiver cannot act on (the parser marks
 * the violation malformed) is answered 400 (RFC 4975 §10.2, "the request was unintelligible"),
 * or not at all where the RFC says so (REPORTs, Failure-Report no: A-11), and never forwarded;
 * a cosmetic deviation is acted on as if canonical. The frames go out as the scenario action
 * `raw` writes them (World.raw), on psa's connection to its relay.
 */
import { describe, expect, it } from 'vitest';
import { SECOND } from '../../src/sim/time.js';
import { isResponse, oneRelay, sent } from './helpers.js';

type Headers = (u: { to: string; from: string }) => string[];

const sendWith = (tid: string, extra: string[], range = '1-5/5'): Headers => (u) => [
  `MSRP ${tid} SEND`,
  `To-Path: ${u.to}`,
  `From-Path: ${u.from}`,
  `Message-ID: ${tid}m`,
  `Byte-Range: ${range}`,
  ...extra,
  'Content-Type: text/plain',
  '',
  'hello',
  `-------${tid}$`,
  '',
];

const rows: { what: string; tid: string; lines: Headers; answer: number | null; forwarded: boolean; rule?: string }[] = [
  { what: 'a Byte-Range outside its grammar', tid: 'ua01bytr', lines: sendWith('ua01bytr', [], '1-x/5'), answer: 400, forwarded: false, rule: 'W-25' },
  { what: 'a Success-Report that is neither yes nor no', tid: 'ua02srpt', lines: sendWith('ua02srpt', ['Success-Report: maybe']), answer: 400, forwarded: false, rule: 'W-29' },
  { what: 'a Failure-Report outside its grammar (read as the default, yes)', tid: 'ua03frpt', lines: sendWith('ua03frpt', ['Failure-Report: sometimes']), answer: 400, forwarded: false, rule: 'W-29' },
  { what: 'Byte-Range twice with different values (A-21)', tid: 'ua04twice', lines: sendWith('ua04twice', ['Byte-Range: 1-3/5']), answer: 400, forwarded: false, rule: 'W-25' },
  { what: 'an unusable Byte-Range with Failure-Report no (A-11: no response)', tid: 'ua05frno', lines: sendWith('ua05frno', ['Failure-Report: no'], '1-x/5'), answer: null, forwarded: false },
  {
    what: 'a REPORT with a Status outside its grammar (never answered)',
    tid: 'ua06rprt',
    lines: (u) => [`MSRP ua06rprt REPORT`, `To-Path: ${u.to}`, `From-Path: ${u.from}`, 'Message-ID: ua06rprtm', 'Byte-Range: 1-5/5', 'Status: 000 2OO', '-------ua06rprt$', ''],
    answer: null,
    forwarded: false,
  },
  // Cosmetic: header-name case, two SP and a tab after colons: forwarded and answered 200.
  { what: 'cosmetic deviations only', tid: 'ua07cosm', lines: (u) => sendWith('ua07cosm', ['success-report:  no', 'Failure-Report:\tyes'])(u), answer: 200, forwarded: true },
];

describe('a relay and a frame it cannot act on (docs/tolerance.md)', () => {
  for (const row of rows) {
    it(`${row.what}: ${row.answer ?? 'no response'}, ${row.forwarded ? '' : 'not '}forwarded`, () => {
      const r = oneRelay(() => 200);
      const { t } = r;
      t.world.at(2 * SECOND, () => {
        const bytes = Buffer.from(row.lines({ to: `${r.token} ${r.bobUri}`, from: r.psaUri }).join('\r\n'), 'latin1');
        t.world.raw('psa', new Uint8Array(bytes), 's1');
      });
      t.world.run(10 * SECOND);
      const answers = sent(t, 'relay-a', isResponse()).filter((x) => x.frame.transactionId === row.tid);
      expect(answers.map((a) => (a.frame.kind === 'response' ? a.frame.statusCode : 0))).toEqual(row.answer === null ? [] : [row.answer]);
      if (row.rule !== undefined) {
        expect(t.of('relay.respond', 'relay-a').find((x) => x.transactionId === row.tid)).toMatchObject({ status: 400, rule: row.rule });
      }
      const forwarded = r.bob.requests.filter((f) => f.messageId === `${row.tid}m`);
      expect(forwarded.length > 0).toBe(row.forwarded);
    });
  }
});
