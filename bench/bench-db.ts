// The database server of a benchmark run: BENCH_DATABASE_URL or TEST_DATABASE_URL (a maintenance
// database URL such as postgres://postgres@127.0.0.1:5432/postgres), else an embedded PostgreSQL under
// .data/bench-pg-<pid>, removed when stopped. Each benchmark then works in a fresh database of its own.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createLogger, silentLogger } from '../src/logger';
import { createDataSource } from '../src/persistence/data-source';
import { startEmbeddedPostgres } from '../src/persistence/embedded-postgres';
import { runMigrations } from '../src/persistence/migrations';
import { freePort } from './bench-stats';

export interface BenchServer {
  /** URL of a maintenance database on the server, for creating and dropping databases. */
  adminUrl: string;
  /** Where the server came from, for the report. */
  description: string;
  stop(): Promise<void>;
}

export interface BenchDatabase {
  url: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

export async function startBenchServer(): Promise<BenchServer> {
  const given = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (given) {
    const description = process.env.BENCH_DB_DESCRIPTION ?? `PostgreSQL from ${process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'TEST_DATABASE_URL'}`;
    return { adminUrl: given, description, stop: async () => undefined };
  }
  const dataDir = `.data/bench-pg-${process.pid}`;
  // BENCH_PG_STATEMENTS=1: the server records every statement's time (pg_stat_statements), for a profile.
  const settings = process.env.BENCH_PG_STATEMENTS ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all'] : [];
  const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), logger: createLogger('warn'), settings });
  return {
    adminUrl: embedded.adminUrl,
    description: 'embedded PostgreSQL 17 (embedded-postgres)',
    stop: async () => {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A fresh, migrated database on the server; drop() removes it. */
export async function createBenchDatabase(adminUrl: string, options: { poolSize?: number; migrate?: boolean } = {}): Promise<BenchDatabase> {
  const name = `cg_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const dataSource = createDataSource(url, { poolSize: options.poolSize ?? 10, applicationName: 'cancel-guard-bench' });
  await dataSource.initialize();
  if (options.migrate !== false) await runMigrations(dataSource, silentLogger());
  return {
    url,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      const dropper = new Client({ connectionString: adminUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/**
 * Runs `work` with a server: the one run-all started (TEST_DATABASE_URL set by it), a configured one, or
 * an embedded one started for this benchmark alone.
 */
export async function withBenchServer<T>(work: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await startBenchServer();
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}
