/**
 * Lets the test worker's event loop turn between tests. vitest runs a file's tests one after the
 * other through promise continuations only, so a file of long synchronous tests (codec splits at
 * every byte, whole scenario runs) never reaches the loop's I/O phase; the answers to the
 * worker's progress messages then wait, and after 60 s vitest's RPC gives up ("Timeout calling
 * onTaskUpdate") and fails the run although every test passed. A macrotask between tests lets
 * those answers in, so only a single test longer than that could still hit it.
 */
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
