import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

describe('skeleton', () => {
  it('main returns an exit status', async () => {
    expect(await main(['node', 'msrp-sim'])).toBe(0);
  });
});
