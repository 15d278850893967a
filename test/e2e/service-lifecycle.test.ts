// Starting and stopping like a service: a taken PORT fails the start (non-zero, a clear message,
// nothing polled), SIGTERM to `npm start` leaves no process behind, and a restart of the demo keeps
// the demo shop and the stored admin token.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PROJECT_ROOT } from '../../src/config/paths';
import { alive } from '../helpers/process-alive';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: Record<string, string>): Started {
  let output = '';
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function waitFor(what: string, check: () => Promise<boolean>, started: Started, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`exited early while waiting for ${what}:\n${started.output()}`);
    if (await check().catch(() => false)) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`timed out waiting for ${what}:\n${started.output()}`);
}

const healthy = (url: string) => async () => (await fetch(`${url}/healthz`)).status === 200;

/** Every process whose parent chain leads to `root` (read from /proc, Linux). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (after the command in parentheses) is the parent pid.
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we read
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

function dataDir(): string {
  const dir = resolve(PROJECT_ROOT, '.data', `life-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('the service starts and stops like a service', () => {
  test('a taken PORT exits non-zero naming PORT, without announcing itself as running or polling', async () => {
    const blocker: Server = createServer();
    const port = await new Promise<number>((done) => blocker.listen(0, '127.0.0.1', () => done((blocker.address() as { port: number }).port)));
    const dir = dataDir();
    try {
      const started = run(process.execPath, [CLI, 'start'], {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dir,
        EMBEDDED_PG_PORT: String(await freePort()),
        DEMO_SIMULATOR_PORT: String(await freePort()),
      });
      const code = await started.exited;
      assert.notEqual(code, 0, started.output());
      assert.match(started.output(), new RegExp(`PORT ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.doesNotMatch(started.output(), /is running at/);
      assert.doesNotMatch(started.output(), /alert raised/, 'no poll ran');
      const pidFile = resolve(dir, 'pg', 'postmaster.pid');
      assert.ok(!existsSync(pidFile) || !alive(Number(readFileSync(pidFile, 'utf8').split('\n')[0])), 'its PostgreSQL was stopped');
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('SIGTERM to `npm start` stops the service and its PostgreSQL; a restart keeps the demo shop and the admin token', { timeout: 240_000 }, async () => {
    const dir = dataDir();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir, EMBEDDED_PG_PORT: String(await freePort()), DEMO_SIMULATOR_PORT: String(await freePort()) };
    let tree: number[] = [];
    try {
      // --ignore-scripts skips prestart (the build, already done by `npm test`): the start script
      // itself, the part that must hand SIGTERM on, runs exactly as under `npm start`.
      const first = run('npm', ['start', '--ignore-scripts', '--silent'], env);
      await waitFor('/healthz', healthy(url), first);
      const token = readFileSync(resolve(dir, 'admin.token'), 'utf8').trim();
      assert.match(first.output(), new RegExp(`admin token is: ${token}`));
      const shopsOf = async () => ((await (await fetch(`${url}/api/shops`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { shops: Array<{ id: string; isDemo: boolean }> }).shops;
      const demoShop = (await shopsOf()).find((s) => s.isDemo);
      assert.ok(demoShop, 'the demo shop exists');
      tree = descendants(first.child.pid!);
      assert.ok(tree.length >= 2, `npm has the service and PostgreSQL below it: ${tree.join(',')}`);

      first.child.kill('SIGTERM');
      await first.exited;
      // Generous: the service closes its HTTP server, scheduler and PostgreSQL before exiting.
      for (let waited = 0; waited < 30_000 && tree.some(alive); waited += 250) await new Promise((done) => setTimeout(done, 250));
      assert.deepEqual(tree.filter(alive), [], 'no process left behind');

      const second = run(process.execPath, [CLI, 'start'], env);
      await waitFor('/healthz after the restart', healthy(url), second);
      assert.match(second.output(), new RegExp(`admin token is: ${token}`), 'the same token, so an open tab still works');
      const again = (await shopsOf()).find((s) => s.isDemo);
      assert.equal(again?.id, demoShop.id, 'the demo shop keeps its id');
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0, second.output());
    } finally {
      // When the test fails, the orphans it found must not outlive it.
      for (const pid of tree.filter(alive)) process.kill(pid, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
