/**
 * A trace read from a file is refused, with its line and the field, when a record's fields do not
 * have the types its type declares (docs/trace-format.md); every record msrp-sim writes passes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readNdjson } from '../../src/output/ndjson.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import type { AnyTraceRecord } from '../../src/sim/trace.js';

const head = '{"t":0,"seq":0,"node":"","type":"trace.format","version":2}\n';
const send = '{"t":1,"seq":1,"node":"a","type":"msrp.send","conn":"c1","offset":0,"length":10,"kind":"request","transactionId":"x","toPath":["msrp://b:1/s;tcp"],"fromPath":["msrp://a:1/s;tcp"],"continuation":"$","bodyLength":null,"method":"SEND","text":"MSRP x SEND\\r\\n"}';

describe('field checks of a trace read from a file', () => {
  it('reads every record of the bundled scenarios, in both formats', () => {
    for (const file of readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).slice(0, 8)) {
      const l = loadScenario(file, readFileSync(`scenarios/${file}`, 'utf8'));
      if (!l.ok) throw new Error(file);
      for (const traceFormat of [1, 2] as const) {
        let text = '';
        runScenario(l.scenario, { traceFormat, sinks: [(r: AnyTraceRecord) => (text += JSON.stringify(r) + '\n')] });
        expect(() => [...readNdjson(text)], `${file} format ${traceFormat}`).not.toThrow();
      }
    }
  });

  it.each([
    [send.replace('"text":"MSRP x SEND\\r\\n"', '"text":42'), "trace line 2: msrp.send: field 'text' must be a string"],
    [send.replace('"offset":0', '"offset":"0"'), "trace line 2: msrp.send: field 'offset' must be an integer"],
    [send.replace('"toPath":["msrp://b:1/s;tcp"]', '"toPath":"msrp://b:1/s;tcp"'), "trace line 2: msrp.send: field 'toPath' must be an array of strings"],
    [send.replace('"bodyLength":null', '"bodyLength":"7"'), "trace line 2: msrp.send: field 'bodyLength' must be an integer or null"],
    [send.replace('"continuation":"$",', ''), "trace line 2: msrp.send: field 'continuation' must be a string"],
    ['{"t":2,"seq":1,"node":"b","type":"msrp.recv","conn":"c2","sent":"1"}', "trace line 2: msrp.recv: field 'sent' must be an integer"],
    ['{"t":2,"seq":1,"node":"b","type":"msrp.recv","conn":"c2","sent":5}', "trace line 2: msrp.recv: field 'sent' must name an earlier record"],
    ['{"t":2,"seq":1,"node":"b","type":"msrp.recv","conn":"c2","kind":"request"}', "trace line 2: msrp.recv: field 'transactionId' must be a string"],
    ['{"t":2,"seq":1,"node":"r","type":"state.token","token":"t","user":"u","conn":null,"expiresAt":1.5,"state":"granted","change":"granted"}', "trace line 2: state.token: field 'expiresAt' must be an integer"],
    ['{"t":2,"seq":1,"node":"r","type":"tcp.segment","conn":"c","src":"a","dst":"b","seqNo":1,"ackNo":1,"flags":"A","len":0,"link":"l","to":"b","hop":0}', "trace line 2: tcp.segment: field 'arrival' must be an integer"],
  ])('refuses %s', (line, message) => {
    expect(() => [...readNdjson(head + line + '\n')]).toThrow(message);
  });

  it('accepts a reference to an earlier send and a receive in full', () => {
    const recv = '{"t":2,"seq":2,"node":"b","type":"msrp.recv","conn":"c2","sent":1}';
    expect([...readNdjson(head + send + '\n' + recv + '\n')]).toHaveLength(3);
  });
});
