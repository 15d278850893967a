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
 * transaction, under a session advisory lock. Returns the names applied.
 */
export async function runMigrations(dataSource: DataSource, logger: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const applied: string[] = [];
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await ensureLedger((sql, params) => runner.query(sql, params));
    const done = new Set<string>(
      (await runner.query('SELECT version FROM schema_migrations')).map((row: { version: string }) => row.version),
    );
    for (const file of migrationFiles(dir)) {
      if (done.has(versionOf(file))) continue;
      await runner.startTransaction();
      try {
        await runner.query(readFileSync(join(dir, file), 'utf8'));
        await runner.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [versionOf(file), file]);
        await runner.commitTransaction();
      } catch (error) {
        await runner.rollbackTransaction();
        throw new Error(`migration ${file} failed: ${(error as Error).message}`);
      }
      applied.push(file);
      logger.info({ migration: file }, 'migration applied');
    }
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
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
