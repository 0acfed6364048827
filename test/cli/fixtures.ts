// The RFC 4975 §4 example with its Byte-Range corrected to the body it carries.
/** Canonical frames for the CLI tests (RFC 4975 §7.1 style). */
export const SEND =
  'MSRP a786hjs2 SEND\r\n' +
  'To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n' +
  'From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n' +
  'Message-ID: 87652491\r\n' +
  'Byte-Range: 1-23/23\r\n' +
  'Content-Type: text/plain\r\n' +
  '\r\n' +
  'Hey Bob, are you there?\r\n' +
  '-------a786hjs2$\r\n';

export const OK =
  'MSRP a786hjs2 200 OK\r\n' +
  'To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n' +
  'From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n' +
  '-------a786hjs2$\r\n';

/**
 * Not an MSRP frame at all: the start line lacks the protocol tag (W-01), which no receiver,
 * however tolerant, can frame; the parser reports it and resynchronises on the next start line.
 */
export const MALFORMED =
  'HELLO a786hjs3 SEND\r\n' +
  'To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n' +
  'From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n' +
  '-------a786hjs3$\r\n';

export const enc = new TextEncoder();

/** A SEND whose body is binary (not valid UTF-8). */
export function binarySend(body: Uint8Array): Uint8Array {
  const head = enc.encode(
    'MSRP 9dk3ls0e SEND\r\n' +
      'To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n' +
      'From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n' +
      'Message-ID: 2kf8s0d1\r\n' +
      `Byte-Range: 1-${body.length}/${body.length}\r\n` +
      'Content-Type: image/png\r\n\r\n',
  );
  const tail = enc.encode('\r\n-------9dk3ls0e$\r\n');
  const out = new Uint8Array(head.length + body.length + tail.length);
  out.set(head, 0);
  out.set(body, head.length);
  out.set(tail, head.length + body.length);
  return out;
}
