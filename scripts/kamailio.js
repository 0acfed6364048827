// Starts and stops a real Kamailio MSRP relay for msrp-sim's live tests, the differential suite
// and the relay benchmark: config/kamailio/msrp-relay.cfg, in the foreground (no daemon, no
// systemd), on a free 127.0.0.1 port, with its own run directory under a temporary directory.
// It is stopped by its PID (and its process group, for its worker processes), also when the
// calling process exits without stopping it.
//
//   node scripts/kamailio.js --user alice:secret --user bob:secret [--realm R] [--port N]
//
// runs one in the foreground until Ctrl-C, printing its address.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { clearTimeout, setTimeout } from 'node:timers';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The one Kamailio configuration of the repository. */
export const KAMAILIO_CONFIG = join(root, 'config/kamailio/msrp-relay.cfg');

/** Where the kamailio binary is (KAMAILIO, /usr/sbin/kamailio, or PATH), or null when it is absent. */
export function findKamailio() {
  const candidates = [process.env.KAMAILIO, '/usr/sbin/kamailio', '/usr/local/sbin/kamailio'].filter(Boolean);
  for (const c of candidates) if (existsSync(c)) return c;
  const which = spawnSync('sh', ['-c', 'command -v kamailio'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() !== '' ? which.stdout.trim() : null;
}

/** A port nobody listens on at 127.0.0.1 now (the kernel's choice). */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Kamailio's string literal for `text` (the route the harness writes holds the passwords). */
function quote(text) {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** route[PASSWORD] of the configuration: $var(passwd) for the Digest user name $au. */
function usersRoute(users) {
  const lines = ['route[PASSWORD] {'];
  for (const [user, password] of Object.entries(users)) lines.push(`\tif ($au == ${quote(user)}) { $var(passwd) = ${quote(password)}; }`);
  lines.push('}', '');
  return lines.join('\n');
}

const running = new Set();
process.on('exit', () => {
  // A caller that forgot (or failed before) stop(): nothing is left running.
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
});

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function waitAccepting(host, port, child, log, deadline) {
  return new Promise((resolveReady, reject) => {
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`kamailio exited (${child.exitCode ?? child.signalCode}) before accepting on ${host}:${port}:\n${log()}`));
        return;
      }
      if (Date.now() > deadline) {
        reject(new Error(`kamailio did not accept on ${host}:${port} within the start-up limit:\n${log()}`));
        return;
      }
      const socket = createConnection({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolveReady();
      });
      socket.once('error', () => {
        socket.destroy();
        setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * Starts Kamailio with the repository's configuration. Options: users ({name: password}), realm
 * (default example.com), host (default 127.0.0.1), port (default: a free one), usePath (host:port
 * for Use-Path; default host:port), debug (log level, default 1), startTimeout (ms, default 10000).
 * Resolves once it accepts TCP connections; `stop()` ends it and removes its directory.
 */
export async function startKamailio(options = {}) {
  const binary = findKamailio();
  if (binary === null) throw new Error('kamailio is not installed (Debian: apt-get install kamailio)');
  const host = options.host ?? '127.0.0.1';
  const realm = options.realm ?? 'example.com';
  const users = options.users ?? {};
  const dir = mkdtempSync(join(tmpdir(), 'msrp-sim-kamailio-'));
  // The configuration runs from a copy beside its users file (include_file is relative to it).
  writeFileSync(join(dir, 'msrp-relay.cfg'), readFileSync(KAMAILIO_CONFIG));
  writeFileSync(join(dir, 'msrp-relay-users.cfg'), usersRoute(users));
  let lastError = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await freePort(host));
    const usePath = options.usePath ?? `${host}:${port}`;
    const output = [];
    const child = spawn(
      binary,
      [
        '-f', join(dir, 'msrp-relay.cfg'),
        '-DD', '-E',
        '-w', dir,
        '-Y', dir,
        '-P', join(dir, 'kamailio.pid'),
        '-A', `LISTEN_ADDR=tcp:${host}:${port}`,
        '-A', `USE_PATH=${quote(usePath)}`,
        '-A', `REALM=${quote(realm)}`,
        '-A', `RUN_DIR=${quote(dir)}`,
        '-A', `DEBUG_LEVEL=${options.debug ?? 1}`,
      ],
      { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.add(child.pid);
    child.stdout.on('data', (c) => output.push(c));
    child.stderr.on('data', (c) => output.push(c));
    const exited = new Promise((r) => child.once('exit', r));
    const log = () => Buffer.concat(output).toString('utf8');
    const end = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGTERM');
        } catch {
          /* gone already */
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* gone already */
          }
        }, 5000);
        await exited;
        clearTimeout(timer);
      }
      // Its worker processes share its process group: none may outlive it.
      for (let i = 0; i < 50 && alive(-child.pid); i++) await new Promise((r) => setTimeout(r, 20));
      if (alive(-child.pid)) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone already */
        }
      }
      running.delete(child.pid);
    };
    const stop = async () => {
      await end();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await waitAccepting(host, port, child, log, Date.now() + (options.startTimeout ?? 10_000));
    } catch (error) {
      lastError = error;
      await end();
      // Another process may have taken the port between the probe and the start: try another.
      if (options.port !== undefined) break;
      continue;
    }
    return { pid: child.pid, host, port, realm, address: `${host}:${port}`, uri: `msrp://${usePath};tcp`, log, stop };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

// node scripts/kamailio.js --user alice:secret ...: one relay in the foreground until Ctrl-C.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const users = {};
  let realm;
  let port;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--user') {
      const v = args[++i] ?? '';
      const colon = v.indexOf(':');
      if (colon <= 0) throw new Error(`--user wants NAME:PASSWORD, got ${JSON.stringify(v)}`);
      users[v.slice(0, colon)] = v.slice(colon + 1);
    } else if (a === '--realm') realm = args[++i];
    else if (a === '--port') port = Number(args[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  const k = await startKamailio({ users, realm, port, debug: 2 });
  console.log(`kamailio ${k.pid} serving ${k.uri} (realm ${k.realm}); Ctrl-C stops it`);
  const end = () => void k.stop().then(() => process.exit(0));
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
}
