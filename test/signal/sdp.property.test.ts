import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSdp, parseSdp } from '../../src/signal/sdp.js';
import type { FileSelector, MsrpMediaDescription, SdpAttribute, SessionDescription } from '../../src/signal/sdp.js';

const token = fc.stringMatching(/^[a-z][a-z0-9.+-]{0,8}$/);
const digits = fc.stringMatching(/^[0-9]{1,12}$/);
const host = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,6}(\.[a-z][a-z0-9-]{0,6}){1,3}$/),
  fc.ipV4(),
);
const addressType = fc.constantFrom('IP4' as const, 'IP6' as const);
const text = fc.stringMatching(/^[^\r\n\0]{1,20}$/);
const rawValue = fc.stringMatching(/^[^\r\n\0]{0,20}$/);
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

const msrpUri = fc
  .record({ tls: fc.boolean(), host, port: fc.integer({ min: 1, max: 65535 }), session: fc.stringMatching(/^[A-Za-z0-9+=]{1,12}$/) })
  .map(({ tls, host: h, port, session }) => `${tls ? 'msrps' : 'msrp'}://${h}:${port}/${session};tcp`);

const formatEntry = fc.oneof(
  fc.constant('*'),
  token.map((t) => `${t}/*`),
  fc.tuple(token, token).map(([t, s]) => `${t}/${s}`),
  fc.tuple(token, token, token, token).map(([t, s, p, v]) => `${t}/${s};${p}=${v}`),
  fc.tuple(token, token, token).map(([t, s, p]) => `${t}/${s};${p}="a b"`),
);

const extraAttribute: fc.Arbitrary<SdpAttribute> = fc
  .record({ name: token.map((t) => `x-${t}`), value: optional(rawValue) })
  .map(({ name, value }) => (value === undefined ? { name } : { name, value }));

const fileSelector: fc.Arbitrary<FileSelector> = fc
  .record(
    {
      name: fc.stringMatching(/^[^"\r\n\0%]{1,16}$/),
      type: fc.tuple(token, token).map(([t, s]) => `${t}/${s}`),
      size: fc.nat(),
      hash: fc.array(
        fc.record({ algorithm: token, value: fc.stringMatching(/^[0-9A-F]{2}(:[0-9A-F]{2}){0,7}$/) }),
        { minLength: 1, maxLength: 2 },
      ),
    },
    { requiredKeys: [] },
  )
  .map((fs) => JSON.parse(JSON.stringify(fs)) as FileSelector);

/** Drops undefined optional fields, as the parser leaves them out. */
const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const media = (session: { addressType: 'IP4' | 'IP6'; address: string } | undefined): fc.Arbitrary<MsrpMediaDescription> =>
  fc
    .record({
      media: fc.oneof(fc.constant('message'), token),
      port: fc.integer({ min: 0, max: 65535 }),
      proto: fc.constantFrom('TCP/MSRP', 'TCP/TLS/MSRP', 'RTP/AVP'),
      formats: fc.oneof(fc.constant<string[]>(['*']), fc.array(token, { minLength: 1, maxLength: 3 })),
      connection: session === undefined ? fc.record({ addressType, address: host }) : fc.oneof(fc.constant(session), fc.record({ addressType, address: host })),
      path: fc.array(msrpUri, { maxLength: 3 }),
      acceptTypes: fc.array(formatEntry, { maxLength: 4 }),
      acceptWrappedTypes: optional(fc.array(formatEntry, { minLength: 1, maxLength: 3 })),
      maxSize: optional(fc.nat()),
      setup: optional(fc.constantFrom('active' as const, 'passive' as const, 'actpass' as const, 'holdconn' as const)),
      direction: optional(fc.constantFrom('sendrecv' as const, 'sendonly' as const, 'recvonly' as const, 'inactive' as const)),
      cema: optional(fc.constant(true)),
      fileSelector: optional(fileSelector),
      fileTransferId: optional(token),
      attributes: optional(fc.array(extraAttribute, { minLength: 1, maxLength: 3 })),
    })
    .map(({ connection, ...m }) => clean({ ...m, connectionAddress: connection.address, addressType: connection.addressType }));

const sessionDescription: fc.Arbitrary<SessionDescription> = fc
  .record({
    origin: fc.record({ username: token, sessionId: digits, version: digits, addressType, address: host }),
    sessionName: text,
    connection: optional(fc.record({ addressType, address: host })),
    time: fc.record({ start: fc.nat(), stop: fc.nat() }),
    attributes: optional(fc.array(extraAttribute, { minLength: 1, maxLength: 2 })),
  })
  .chain((s) => fc.array(media(s.connection), { maxLength: 3 }).map((m) => clean({ ...s, media: m })));

describe('SDP properties', () => {
  it('parse(format(desc)) equals desc, with no violation', () => {
    fc.assert(
      fc.property(sessionDescription, (desc) => {
        const r = parseSdp(formatSdp(desc));
        if (!r.ok) throw new Error(JSON.stringify(r.errors));
        expect(r.violations).toEqual([]);
        expect(r.desc).toEqual(desc);
      }),
      { numRuns: 500 },
    );
  });

  it('parseSdp never throws, whatever the text', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.tuple(fc.constantFrom('v', 'o', 's', 'c', 't', 'm', 'a', 'i', 'b', 'x'), fc.string({ maxLength: 30 })).map(([k, v]) => `${k}=${v}`),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.constantFrom('\r\n', '\n'), (lines, eol) => {
        expect(() => parseSdp(lines.join(eol))).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });
});
