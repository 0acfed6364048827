import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { fakeIo } from './helpers/fake-io.js';

describe('skeleton', () => {
  it('main returns an exit status: usage (2) without a command, 0 for --help', async () => {
    const io = fakeIo();
    expect(await main(['node', 'msrp-sim'], io)).toBe(2);
    expect(io.err()).toMatch(/Usage: msrp-sim/);
    expect(await main(['node', 'msrp-sim', '--help'], fakeIo())).toBe(0);
  });
});
