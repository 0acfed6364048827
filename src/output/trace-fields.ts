/**
 * The field checks of a trace read from a file (readNdjson): for the record types the outputs and
 * the expectations read in depth (frames, segments, node state, the format record), each field's
 * type as its declaration gives it, in one table, so that a record a consumer would misread is
 * refused with its line and its field: `trace line 12: msrp.send: field 'text' must be a string`.
 * Other types are checked for their place and type only. Each check is a type test per field, no
 * more, so reading a large trace stays cheap (docs/performance.md).
 *
 * The table mirrors the TypeScript declarations (src/nodes/records/msrp-records.ts,
 * src/nodes/frame-record.ts, src/net/trace-types.ts, src/protocol/state-events.ts): `satisfies`
 * keeps its keys among the record types msrp-sim writes; test/output/trace-fields.test.ts checks
 * that every record of the bundled scenarios passes.
 */
import type { TraceType } from '../sim/trace.js';

/** A field's type: `?` after it, the field may be absent; `|null`, it may be null. */
type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'string[]' | 'range' | 'string?' | 'number?' | 'integer?' | 'range?' | 'string|null' | 'number|null' | 'integer|null';

type Fields = Readonly<Record<string, FieldType>>;

const FRAME: Fields = {
  kind: 'string',
  transactionId: 'string',
  toPath: 'string[]',
  fromPath: 'string[]',
  messageId: 'string?',
  byteRange: 'range?',
  reportStatus: 'integer?',
  continuation: 'string',
  bodyLength: 'integer|null',
  text: 'string?',
  bytesBase64: 'string?',
};

const FIELDS = {
  'trace.format': { version: 'integer' },
  'msrp.send': { conn: 'string', offset: 'integer', length: 'integer', ...FRAME },
  'msrp.raw': { conn: 'string', offset: 'integer', length: 'integer', text: 'string' },
  'msrp.malformed': { conn: 'string', offset: 'integer', message: 'string' },
  'msrp.violation': { conn: 'string', transactionId: 'string', message: 'string' },
  'tcp.segment': { conn: 'string', src: 'string', dst: 'string', seqNo: 'integer', ackNo: 'integer', flags: 'string', len: 'integer', link: 'string', to: 'string', hop: 'integer', arrival: 'integer' },
  'tcp.accept': { conn: 'string', peer: 'string' },
  'tcp.connect': { conn: 'string' },
  'state.auth': { relay: 'string', state: 'string', usePath: 'string|null', expires: 'number|null', refreshAt: 'integer|null', change: 'string', session: 'string?' },
  'state.token': { token: 'string', user: 'string', conn: 'string|null', expiresAt: 'integer', state: 'string', change: 'string' },
  'state.peer': { conn: 'string', state: 'string', failures: 'integer', user: 'string|null', change: 'string' },
  'state.session': { session: 'string', state: 'string', conn: 'string|null', toPath: 'string[]', localUri: 'string', change: 'string' },
  'state.transaction': { transactionId: 'string', method: 'string', conn: 'string', state: 'string', timerAt: 'integer|null', messageId: 'string|null', change: 'string' },
  'state.message': { messageId: 'string', session: 'string', direction: 'string', state: 'string', bytes: 'integer', total: 'integer|null', change: 'string' },
} satisfies Partial<Record<TraceType, Fields>>;

const TABLE: ReadonlyMap<string, [string, FieldType][]> = new Map(Object.entries(FIELDS).map(([type, fields]) => [type, Object.entries(fields as Fields)]));

const RECV_REF: [string, FieldType][] = [
  ['conn', 'string'],
  ['sent', 'integer'],
];
const RECV_FULL: [string, FieldType][] = [['conn', 'string'], ...Object.entries(FRAME)];

const WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  'string[]': 'an array of strings',
  range: 'a byte range {start, end, total}',
};

function fits(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string[]':
      if (!Array.isArray(value)) return false;
      for (const v of value) if (typeof v !== 'string') return false;
      return true;
    case 'range': {
      if (typeof value !== 'object' || value === null) return false;
      const r = value as Record<string, unknown>;
      return Number.isInteger(r.start) && (r.end === null || Number.isInteger(r.end)) && (r.total === null || Number.isInteger(r.total));
    }
    default:
      return false;
  }
}

/** What is wrong with a record's fields (its type's fields of the table), or null. */
export function fieldProblem(record: Record<string, unknown>): string | null {
  const type = record.type as string;
  let fields = TABLE.get(type);
  if (type === 'msrp.recv') {
    if (record.sent !== undefined) {
      fields = RECV_REF;
      if (Number.isInteger(record.sent) && (record.sent as number) >= (record.seq as number)) return `msrp.recv: field 'sent' must name an earlier record`;
    } else fields = RECV_FULL;
  }
  if (fields === undefined) return null;
  for (let i = 0; i < fields.length; i++) {
    const [name, spec] = fields[i]!;
    const value = record[name];
    const bar = spec.indexOf('|');
    const optional = spec.endsWith('?');
    const base = optional ? spec.slice(0, -1) : bar > 0 ? spec.slice(0, bar) : spec;
    if (value === undefined && optional) continue;
    if (value === null && bar > 0) continue;
    if (!fits(value, base)) return `${type}: field '${name}' must be ${WORDS[base] ?? base}${bar > 0 ? ' or null' : ''}`;
  }
  return null;
}
