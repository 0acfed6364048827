/**
 * The JSON Schema of scenario files, for editors, made from the same definition the loader checks
 * with. `npm run schema` writes it to schema/scenario.schema.json; a test keeps that file in step.
 *
 * Two things are said differently for editors than the loader says them:
 * - node kinds are told apart by `role` with `if`/`then` (draft-07 has no discriminator), so a
 *   wrong key on a relay gets the relay's one error, not one from every other kind of node;
 * - node groups (groups.ts) are allowed where the loader expands them: as node entries (their ids
 *   hold placeholders), as `users` entries, and as items of `links`, `events`, `expect` and a
 *   firewall's `inside`. A group's template is not checked by the editor (its strings hold
 *   placeholders that no pattern of the definition takes); the loader checks every member.
 */
import { ScenarioFileSchema } from './definition.js';

export const SCENARIO_SCHEMA_FILE = 'schema/scenario.schema.json';

type Json = Record<string, unknown>;

/** The JSON Schema document (draft-07, which editors' YAML and JSON support reads). */
export function scenarioJsonSchema(): Record<string, unknown> {
  // JSON.parse(JSON.stringify(...)) drops the definition's symbol-keyed annotations.
  const body = JSON.parse(JSON.stringify(ScenarioFileSchema)) as Json;
  const props = body.properties as Record<string, Json>;
  const nodes = props.nodes!;
  const pattern = nodes.patternProperties as Record<string, Json>;
  const [idPattern, node] = Object.entries(pattern)[0]!;
  const kinds = node.anyOf as Json[];
  // Relays and firewalls: `users` entries and `inside` items may be groups.
  for (const kind of kinds) {
    const kp = kind.properties as Record<string, Json>;
    if (kp.users !== undefined) {
      const users = kp.users.patternProperties as Record<string, Json>;
      for (const [k, v] of Object.entries(users)) users[k] = { anyOf: [v, group('users named by placeholders such as `rcv-{k}`')], description: v.description };
    }
    if (kp.inside !== undefined) kp.inside.items = { anyOf: [kp.inside.items, group('nodes named by placeholders')], description: (kp.inside.items as Json).description };
  }
  const byRole: Json = {
    description: node.description,
    type: 'object',
    required: ['role'],
    properties: { role: { description: 'Which kind of node this is.', enum: kinds.map((k) => ((k.properties as Record<string, Json>).role as Json).const) } },
    allOf: kinds.map((k) => {
      const role = (k.properties as Record<string, Json>).role!;
      return { if: { properties: { role: { description: role.description, const: role.const } }, required: ['role'] }, then: k };
    }),
  };
  // A node group's id holds placeholders: `rcv-{r:02}-{k:02}`.
  nodes.patternProperties = { [idPattern]: byRole, [GROUP_KEY]: group('nodes, one per member; the key names each with placeholders such as `rcv-{r:02}-{k:02}`') };
  for (const list of ['links', 'events', 'expect']) {
    const l = props[list]!;
    l.items = { anyOf: [l.items, group(`${list} items, one per member`)], description: (l.items as Json).description };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'msrp-sim scenario',
    ...body,
  };
}

/** A key with a placeholder in braces. */
const GROUP_KEY = '^[^{}]*\\{[^{}]+\\}.*$';

function group(what: string): Json {
  return {
    description: `A group (docs/scenario-format.md): ${what}.`,
    type: 'object',
    additionalProperties: false,
    required: ['group', 'each'],
    properties: {
      group: {
        description: 'Index names and their counts: `{ i: 100 }` numbers the members 0 to 99; `{ r: 100, k: 100 }` makes one member for every pair.',
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        patternProperties: { '^[a-z][A-Za-z0-9_]*$': { description: 'How many values the index takes, from 0.', type: 'integer', minimum: 0 } },
      },
      each: { description: 'The template of every member: `{i}` in its strings is the index, `{i:03}` with zeros in front, `{i*5+1}` arithmetic. Checked member by member when the file is loaded.' },
    },
  };
}

/** The schema file's text: two-space indented, with a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
