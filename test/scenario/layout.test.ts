/**
 * The shape of src/scenario: files that read in one sitting, and exported names that mean one
 * thing across src/ (the scenario's types are not the nodes', the network's or the kernel's).
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportedDefinitions, lines, tsFiles } from '../helpers/source-files.js';

const root = join(import.meta.dirname, '..', '..');

const rel = (file: string): string => relative(root, file).replace(/\\/g, '/');

describe('src/scenario reads in one sitting', () => {
  it('no file above 600 lines', () => {
    const long = tsFiles(join(root, 'src', 'scenario')).filter((f) => lines(f) > 600);
    expect(long.map((f) => `${rel(f)}: ${lines(f)} lines`)).toEqual([]);
  });
});

describe('exported names mean one thing', () => {
  it('no name defined in src/scenario is defined again elsewhere in src/', () => {
    const where = exportedDefinitions(join(root, 'src'), rel);
    const twice = [...where]
      .filter(([, files]) => files.length > 1 && files.some((f) => f.startsWith('src/scenario/')))
      .map(([name, files]) => `${name}: ${files.join(', ')}`);
    expect(twice).toEqual([]);
  });

  it('the scenario\'s node, action and rule types carry its prefix', () => {
    const types = readFileSync(join(root, 'src', 'scenario', 'types.ts'), 'utf8');
    for (const name of ['ScenarioEndpoint', 'ScenarioRelay', 'ScenarioFirewall', 'ScenarioAction', 'ScenarioSendAction', 'ScenarioNodeRole', 'ScenarioFirewallRule', 'ScenarioRelayCredentials']) {
      expect(types).toMatch(new RegExp(`^export (?:interface|type) ${name}\\b`, 'm'));
    }
  });
});
