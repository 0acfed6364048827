import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// What npm and a user browsing the registry see of msrp-sim: where the code and the issues are,
// the licence, and no script that runs on a consumer's install.
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown>;

describe('package.json as the registry shows it', () => {
  it('names the repository, the home page, where to file bugs, and keywords', () => {
    expect(pkg.repository).toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\.git$/u) as unknown });
    expect(pkg.homepage).toMatch(/^https:\/\//u);
    expect(pkg.bugs).toMatchObject({ url: expect.stringMatching(/^https:\/\/.+\/issues$/u) as unknown });
    expect(Array.isArray(pkg.keywords) && pkg.keywords.includes('msrp')).toBe(true);
  });
  it('ships the MIT licence it declares and builds only when packed, never on install', () => {
    expect(pkg.license).toBe('MIT');
    expect(existsSync('LICENSE') && readFileSync('LICENSE', 'utf8')).toMatch(/MIT License/u);
    const scripts = pkg.scripts as Record<string, string>;
    for (const hook of ['install', 'preinstall', 'postinstall', 'prepare']) expect(scripts[hook]).toBeUndefined();
  });
});
