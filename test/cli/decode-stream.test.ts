import { beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/cli/commands/decode.js';
import { createContext } from '../../src/cli/context.js';
import { ensureBuilt, runCliAsync } from '../helpers/exec.js';
import { tcpCapture } from '../helpers/pcap-writer.js';
import { OK, SEND } from './fixtures.js';

beforeAll(() => ensureBuilt());

/** Frames written so far, counted from the JSON lines decode writes. */
function countingIo(chunks: () => AsyncGenerator<Uint8Array>) {
  let lines = 0;
  return {
    io: {
      stdout: { write: (c: string | Uint8Array) => (lines += String(c).split('\n').length - 1) },
      stderr: { write: () => true },
      stdin: { isTTY: false, [Symbol.asyncIterator]: chunks },
      env: {},
    },
    frames: () => lines,
  };
}

describe('decode - streams standard input', () => {
  it('parses raw MSRP as it arrives, so input of any length needs no more memory than a frame', async () => {
    const pair = Buffer.from(SEND + OK, 'latin1');
    const perChunk = 50;
    const chunk = Buffer.concat(Array.from({ length: perChunk }, () => pair));
    const lags: number[] = [];
    let given = 0;
    const io = countingIo(async function* () {
      for (let k = 0; k < 200; k++) {
        // By the time a chunk is asked for, every frame of the chunks before it is out.
        lags.push(given * 2 * perChunk - io.frames());
        given++;
        yield chunk;
      }
    });
    const status = await decode('-', { format: 'json' }, createContext(io.io));
    expect(status).toBe(0);
    expect(io.frames()).toBe(200 * 2 * perChunk);
    expect(lags.every((l) => l === 0)).toBe(true);
  });

  it('runs through the CLI on some MB of piped frames', async () => {
    const pair = Buffer.from(SEND + OK, 'latin1');
    const n = 16_000;
    const input = Buffer.concat(Array.from({ length: n }, () => pair));
    expect(input.length).toBeGreaterThan(4_000_000);
    const r = (await runCliAsync(['decode', '--format', 'json', '-'], { input }));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.toString('utf8').split('\n').filter((l) => l !== '')).toHaveLength(2 * n);
  }, 60_000);

  it('refuses a pcap capture beyond its bound as it arrives, with a message that says what to do', async () => {
    const capture = Buffer.from(tcpCapture([]));
    let asked = 0;
    const io = countingIo(async function* () {
      yield capture;
      const filler = Buffer.alloc(1024 * 1024);
      for (let k = 0; k < 64; k++) {
        asked++;
        yield filler;
      }
    });
    await expect(decode('-', { format: 'json', maxCaptureBytes: 4 * 1024 * 1024 }, createContext(io.io))).rejects.toThrow(
      'decode: standard input: the capture is larger than 4 MiB, the most decode reads of a capture; cut it into parts (editcap -c) and decode each',
    );
    expect(asked).toBeLessThanOrEqual(5);
  });
});
