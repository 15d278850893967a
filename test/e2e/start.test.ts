import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
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

function startCli(env: Record<string, string>): Started {
  let output = '';
  const child = spawn(process.execPath, [CLI, 'start'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

async function waitForHealth(url: string, started: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`service exited early:\n${started.output()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`no /healthz within ${timeoutMs} ms:\n${started.output()}`);
}

function postmasterPid(dataDir: string): number | null {
  const file = resolve(dataDir, 'pg', 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null;
}

describe('cancel-guard start (whole process, embedded PostgreSQL)', () => {
  // A hang (a SIGTERM lost during start-up) fails the test instead of stalling the run.
  test('starts with nothing configured, answers /healthz, and SIGTERM exits 0 leaving no PostgreSQL behind', { timeout: 180_000 }, async () => {
    const dataDir = resolve(PROJECT_ROOT, '.data', `e2e-${randomBytes(4).toString('hex')}`);
    mkdirSync(dataDir, { recursive: true });
    try {
      const port = await freePort();
      const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) };
      const first = startCli(env);
      await waitForHealth(`http://127.0.0.1:${port}`, first, 60000);
      assert.match(first.output(), /admin token is: \S+/);
      const pid = postmasterPid(dataDir);
      assert.ok(pid && alive(pid), 'embedded PostgreSQL is running');

      // A SIGKILLed service leaves its PostgreSQL behind; the next start must recover.
      first.child.kill('SIGKILL');
      await first.exited;
      // `start` runs the service in a child with the heap flags (ADR 0024): the service sees its parent gone and
      // kills itself a moment later. A start in that moment would find a live owner and share its PostgreSQL.
      const owner = Number(readFileSync(resolve(dataDir, 'pg.owner'), 'utf8').trim());
      for (let i = 0; i < 100 && alive(owner); i++) await new Promise((done) => setTimeout(done, 100));
      assert.ok(!alive(owner), 'the service died with its parent');
      assert.ok(alive(pid), 'the postmaster survived the SIGKILL');

      const second = startCli(env);
      await waitForHealth(`http://127.0.0.1:${port}`, second, 60000);
      const secondPid = postmasterPid(dataDir);
      // /healthz answers before start-up has finished (the job queue starts after the port is open): a
      // SIGTERM now must still stop everything and exit 0.
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0, second.output());
      assert.ok(secondPid && !alive(secondPid), 'no PostgreSQL left behind');
      assert.ok(!alive(pid));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a misconfigured start exits non-zero naming each bad variable', async () => {
    const started = startCli({ CANCEL_RATE_LIMIT: 'abc', PORT: '-1' });
    const code = await started.exited;
    assert.equal(code, 2);
    assert.match(started.output(), /CANCEL_RATE_LIMIT/);
    assert.match(started.output(), /PORT/);
  });
});
