// The V8 heap flags of the long-running processes (`start`, `worker`; ADR 0024). Left to its defaults, V8
// lets a worker's heap grow to about four times what is live before it collects (a 2,000-shop worker: 35 MB
// live, 150–185 MB of heap) and keeps 2 × 16 MB of young generation. These flags make it collect sooner.
// Node reads heap flags only when it starts, so the command line starts itself again with them
// (relaunchWithHeapFlags); a process started with them already (benches, tests) is not started again.
// Only node: modules here: the relaunching parent loads nothing else.
import { spawn } from 'node:child_process';

/** CANCEL_GUARD_HEAP_FLAGS when unset. */
export const DEFAULT_HEAP_FLAGS = '--max-semi-space-size=2 --heap-growing-percent=50';
/** The commands that run for long and so get the flags. */
const LONG_RUNNING = new Set(['start', 'worker']);
/** Set in the relaunched process: it is the service, and its parent only passes signals on. */
const RELAUNCHED = 'CANCEL_GUARD_RELAUNCHED';

/** The flags from CANCEL_GUARD_HEAP_FLAGS (`none` for V8's defaults), only --flag or --flag=value words. */
export function heapFlags(env: Record<string, string | undefined> = process.env): string[] {
  const text = (env.CANCEL_GUARD_HEAP_FLAGS ?? DEFAULT_HEAP_FLAGS).trim();
  if (text === '' || text === 'none') return [];
  const flags = text.split(/\s+/);
  const bad = flags.find((flag) => !/^--[a-z0-9-]+(=[A-Za-z0-9._-]+)?$/.test(flag));
  if (bad) throw new Error(`CANCEL_GUARD_HEAP_FLAGS: "${bad}" is not a --flag or --flag=value (or set it to none)`);
  return flags;
}

/**
 * For `start` and `worker` without the heap flags: runs the same command line again in a child process
 * with them, passes SIGTERM/SIGINT/SIGHUP on, and exits as the child exits. If this parent is killed
 * (SIGKILL), the child sees its IPC channel close and kills itself at once, as if it had been killed.
 * Answers false when the command runs here (another command, the flags already given, or none wanted).
 */
export function relaunchWithHeapFlags(args: readonly string[]): boolean {
  if (process.env[RELAUNCHED] === '1') {
    // The relaunched service: its parent gone means it was killed.
    if (process.channel) {
      process.channel.unref();
      process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
    }
    return false;
  }
  if (!LONG_RUNNING.has(args[0] ?? '')) return false;
  let flags: string[];
  try {
    flags = heapFlags();
  } catch (error) {
    process.stderr.write(`cancel-guard: ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (flags.length === 0 || flags.every((flag) => process.execArgv.includes(flag))) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...flags, process.argv[1]!, ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [RELAUNCHED]: '1' },
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => {
    process.stderr.write(`cancel-guard: could not start node with ${flags.join(' ')}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
  return true;
}

/**
 * For benches and tests that start `start` or `worker` themselves: node arguments and environment that run
 * it with this process's heap flags directly, so it is not relaunched and its pid is the service's own.
 */
export function heapFlagsForChild(env: Record<string, string | undefined> = process.env): {
  nodeArgs: string[];
  env: { CANCEL_GUARD_HEAP_FLAGS: string };
} {
  const flags = heapFlags(env);
  return { nodeArgs: flags, env: { CANCEL_GUARD_HEAP_FLAGS: flags.length > 0 ? flags.join(' ') : 'none' } };
}
