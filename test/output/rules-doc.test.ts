import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rulesMarkdown, profileDeviations } from '../../src/output/rules-doc.js';
import { catalogueIds, ruleAnchor } from '../../src/output/rules.js';
import { tsFiles } from '../helpers/source-files.js';

const doc = (name: string): string => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');
const sources = () => ({ relayProfilesMd: doc('relay-profiles.md'), ambiguitiesMd: doc('ambiguities.md') });

describe('docs/rules.md', () => {
  it('is what `npm run docs:rules` makes from the rule table now (run it after changing a rule)', () => {
    expect(doc('rules.md')).toBe(rulesMarkdown(sources()));
  });

  it('has an anchor for every rule id of the catalogue and every profile deviation, with the checklist\'s words for the RFC rules', () => {
    const text = doc('rules.md');
    for (const id of catalogueIds()) expect(text, id).toContain(`<a id="${ruleAnchor(id)}"></a>`);
    const deviations = profileDeviations(sources().relayProfilesMd);
    expect(deviations.length).toBeGreaterThan(20);
    for (const d of deviations) expect(text, d.id).toContain(`<a id="${ruleAnchor(d.id)}"></a>`);
    // R-19 quotes RFC 4976's sentence.
    const r19 = text.slice(text.indexOf('<a id="r-19">'), text.indexOf('<a id="r-20">'));
    expect(r19).toContain('removes this URI from the To-Path header and inserts this URI in the From-Path header');
  });

  it('cites every rule id the code emits: each CHECKLIST or A- id in src/ is in the catalogue', () => {
    const known = new Set(catalogueIds());
    const cited = new Set<string>();
    for (const f of tsFiles(new URL('../../src', import.meta.url).pathname)) for (const id of readFileSync(f, 'utf8').match(/'([WUERSXFA]-\d\d)'/g) ?? []) cited.add(id.slice(1, -1));
    expect([...cited].filter((id) => !known.has(id))).toEqual([]);
  });
});
