// `cancel-guard worker` runs with the heap flags (heap-flags.ts, ADR 0024): started without them it starts
// itself again with them, passes SIGTERM on and exits as the service exits; killed, it takes the service
// with it. Real processes on a real database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { PROJECT_ROOT } from '../../src/config/paths';
import { DEFAULT_HEAP_FLAGS, heapFlags, heapFlagsForChild } from '../../src/config/heap-flags';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { alive } from '../helpers/process-alive';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');

interface Worker {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

function startWorker(db: TestDatabase, env: Record<string, string> = {}, nodeArgs: string[] = []): Worker {
  let output = '';
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'worker'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      CREDENTIALS_SECRET: 'heap-flags-secret-'.padEnd(40, 'x'),
      DATA_DIR: mkdtempSync(resolve(tmpdir(), 'cg-heap-flags-')),
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return { child, output: () => output, exited: new Promise((done) => child.on('exit', (code) => done(code))) };
}

async function until<T>(what: string, probe: () => T | null | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function argsOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

describe('heap flags of the long-running commands', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  test('CANCEL_GUARD_HEAP_FLAGS: the default, none, a list; anything but --flag words is refused', () => {
    assert.deepEqual(heapFlags({}), DEFAULT_HEAP_FLAGS.split(' '));
    assert.deepEqual(heapFlags({ CANCEL_GUARD_HEAP_FLAGS: 'none' }), []);
    assert.deepEqual(heapFlags({ CANCEL_GUARD_HEAP_FLAGS: ' --max-old-space-size=256   --max-semi-space-size=4 ' }), ['--max-old-space-size=256', '--max-semi-space-size=4']);
    for (const bad of ['--x; rm -rf /', 'max-old-space-size=1', '--inspect=0.0.0.0:9229 $(id)', '-e']) {
      assert.throws(() => heapFlags({ CANCEL_GUARD_HEAP_FLAGS: bad }), /CANCEL_GUARD_HEAP_FLAGS/);
    }
    assert.deepEqual(heapFlagsForChild({ CANCEL_GUARD_HEAP_FLAGS: 'none' }), { nodeArgs: [], env: { CANCEL_GUARD_HEAP_FLAGS: 'none' } });
  });

  test('a worker started without the flags runs as a child with them; SIGTERM stops both, exit 0', async () => {
    const worker = startWorker(db);
    await until('the worker to run', () => worker.output().includes('cancel-guard worker is running'));
    const [service] = childrenOf(worker.child.pid!);
    assert.ok(service, 'the service runs in a child process');
    const args = argsOf(service);
    for (const flag of DEFAULT_HEAP_FLAGS.split(' ')) assert.ok(args.includes(flag), `${flag} in ${args.join(' ')}`);
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.output());
    await until('the service to stop', () => !alive(service), 10_000);
  });

  test('a SIGKILL of the parent takes the service with it', async () => {
    const worker = startWorker(db, { CANCEL_GUARD_HEAP_FLAGS: '--max-semi-space-size=4' });
    await until('the worker to run', () => worker.output().includes('cancel-guard worker is running'));
    const [service] = childrenOf(worker.child.pid!);
    assert.ok(service && argsOf(service).includes('--max-semi-space-size=4'));
    worker.child.kill('SIGKILL');
    await worker.exited;
    await until('the orphaned service to die', () => !alive(service), 5_000);
  });

  test('given the flags already (or none wanted), the worker runs in the process started', async () => {
    for (const [env, nodeArgs] of [
      [{}, DEFAULT_HEAP_FLAGS.split(' ')],
      [{ CANCEL_GUARD_HEAP_FLAGS: 'none' }, []],
    ] as const) {
      const worker = startWorker(db, env, [...nodeArgs]);
      await until('the worker to run', () => worker.output().includes('cancel-guard worker is running'));
      assert.deepEqual(childrenOf(worker.child.pid!).filter((pid) => argsOf(pid).includes(CLI)), []);
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.output());
    }
  });
});
