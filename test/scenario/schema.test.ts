import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { SCENARIO_SCHEMA_FILE, ScenarioFileSchema, loadScenario, scenarioJsonSchema, scenarioJsonSchemaText, starterScenario } from '../../src/scenario/index.js';
import { parseYamlSource, toPlain } from '../../src/scenario/source.js';
import { TEXT_PATTERN } from '../../src/scenario/definition-annotations.js';

const repoFile = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

type Json = Record<string, unknown>;

/** Every schema object in the document, with a path for messages. */
function* walk(schema: unknown, path = '#'): Generator<[string, Json]> {
  if (schema === null || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    for (const [i, s] of schema.entries()) yield* walk(s, `${path}/${i}`);
    return;
  }
  const s = schema as Json;
  yield [path, s];
  for (const [k, v] of Object.entries(s)) if (k !== 'examples' && k !== 'enum' && k !== 'required') yield* walk(v, `${path}/${k}`);
}

describe('the JSON Schema file', () => {
  it(`${SCENARIO_SCHEMA_FILE} is what the definition gives (run \`npm run schema\` after changing it)`, () => {
    expect(repoFile(SCENARIO_SCHEMA_FILE)).toBe(scenarioJsonSchemaText());
  });

  it('describes every property, for editors', () => {
    const missing: string[] = [];
    for (const [path, s] of walk(scenarioJsonSchema())) {
      for (const [name, prop] of Object.entries((s.properties as Record<string, Json> | undefined) ?? {})) {
        if (typeof prop.description !== 'string' || prop.description === '') missing.push(`${path}/properties/${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('closes every mapping: unknown keys are errors in editors too', () => {
    const open: string[] = [];
    const users: Json[] = [];
    for (const [path, s] of walk(scenarioJsonSchema())) {
      // A node is closed by the `then` of its role (each kind has keys of its own).
      const byRole = Array.isArray(s.allOf) && (s.allOf as Json[]).every((b) => (b.then as Json | undefined)?.additionalProperties === false);
      if (s.type === 'object' && s.additionalProperties !== false && !byRole) open.push(path);
      if (path.endsWith('/properties/users')) users.push(s);
    }
    expect(open).toEqual([]);
    // `users` maps take any username without control characters (it is written in Authorization).
    expect(users.length).toBeGreaterThan(0);
    for (const u of users) expect(Object.keys(u.patternProperties as Json)).toEqual([TEXT_PATTERN]);
  });

  it('is draft-07 and carries no internal annotations', () => {
    const schema = scenarioJsonSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(JSON.stringify(schema)).not.toMatch(/StringEnum|"\[object/u);
  });

  it('names the unit patterns and enums editors can check', () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, Json> };
    expect(schema.properties.duration!.pattern).toMatch(/ms\|s\|min\|m\|h/u);
    const fw = ((schema.properties.nodes!.patternProperties as Record<string, Json>)[Object.keys(schema.properties.nodes!.patternProperties as Json)[0]!]!.allOf as Json[])[4]!.then as { properties: Record<string, Json> };
    expect(fw.properties.idleMode).toMatchObject({ type: 'string', enum: ['drop', 'reset'] });
  });
});

describe('the definition and TypeBox agree', () => {
  const plain = (text: string) => {
    const r = parseYamlSource(text);
    if (!r.ok || r.root === null) throw new Error('not YAML');
    return toPlain(r.root);
  };

  it('files the loader takes are valid for TypeBox', () => {
    for (const text of [repoFile('test/scenario/fixtures/spec-example.yaml'), starterScenario()]) {
      expect(loadScenario('x.yaml', text).ok).toBe(true);
      expect([...Value.Errors(ScenarioFileSchema, plain(text))].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
    }
  });

  it('files of the wrong shape are invalid for TypeBox too', () => {
    const spec = repoFile('test/scenario/fixtures/spec-example.yaml');
    for (const [from, to] of [
      ['seed: 7', 'seed: -7'],
      ['duration: 2m', 'duration: 2 minutes'],
      ['role: sender', 'role: sendr'],
      ['latency: 40ms', 'latency: 40'],
      ['bandwidth: 2Mbit/s', 'bandwidth: 2MB'],
      ['size: 40KiB', 'size: 40KB'],
      ['chunkSize: 2048', 'chunkSize: -1'],
      ['status: 200', 'status: "200"'],
      ['{ allow: outbound }', '{ allow: outbund }'],
      ['messages: 1', 'messages: 1, colour: red'],
    ]) {
      const text = spec.replace(from!, to!);
      expect(text).not.toBe(spec);
      expect(loadScenario('x.yaml', text).ok).toBe(false);
      expect(Value.Check(ScenarioFileSchema, plain(text))).toBe(false);
    }
  });
});
