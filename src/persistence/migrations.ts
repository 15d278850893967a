import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { projectPath } from '../config/paths';

export const MIGRATIONS_DIR = projectPath('migrations');

// One fixed advisory-lock key: two processes starting together migrate one after the other.
const MIGRATION_LOCK_KEY = 7_310_422_001;

function migrationFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /^\d{14}_[a-z0-9_]+\.sql$/.test(name))
    .sort();
}

const versionOf = (file: string) => file.slice(0, 14);

async function ensureLedger(run: (sql: string, params?: unknown[]) => Promise<unknown>): Promise<void> {
  await run(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

/**
 * Applies the plain-SQL migrations in `migrations/` that the database has not seen, each in its own
 * transaction under a transaction-scoped advisory lock (two processes starting together migrate one
 * after the other; the second finds each migration applied). No session state is used, so it works
 * behind PgBouncer in transaction mode too (ADR 0021). Returns the names applied.
 */
export async function runMigrations(dataSource: DataSource, logger: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  const locked = <T>(work: (run: (sql: string, params?: unknown[]) => Promise<unknown>) => Promise<T>): Promise<T> =>
    dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      return work((sql, params) => em.query(sql, params));
    });
  await locked((run) => ensureLedger(run));
  const done = new Set<string>(
    (await dataSource.query('SELECT version FROM schema_migrations')).map((row: { version: string }) => row.version),
  );
  const applied: string[] = [];
  for (const file of migrationFiles(dir)) {
    if (done.has(versionOf(file))) continue;
    const ran = await locked(async (run) => {
      // Another process may have applied it while this one waited for the lock.
      const seen = (await run('SELECT 1 FROM schema_migrations WHERE version = $1', [versionOf(file)])) as unknown[];
      if (seen.length > 0) return false;
      try {
        await run(readFileSync(join(dir, file), 'utf8'));
      } catch (error) {
        throw new Error(`migration ${file} failed: ${(error as Error).message}`);
      }
      await run('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [versionOf(file), file]);
      return true;
    });
    if (!ran) continue;
    applied.push(file);
    logger.info({ migration: file }, 'migration applied');
  }
  return applied;
}

/** Names of migrations present on disk but not applied (for /readyz). */
export async function pendingMigrations(dataSource: DataSource, dir = MIGRATIONS_DIR): Promise<string[]> {
  const exists = await dataSource.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  const done = new Set<string>(
    exists[0].present
      ? (await dataSource.query('SELECT version FROM schema_migrations')).map((row: { version: string }) => row.version)
      : [],
  );
  return migrationFiles(dir).filter((file) => !done.has(versionOf(file)));
}
