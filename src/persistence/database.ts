import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import type { Logger } from '../logger';
import { createDataSource } from './data-source';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { runMigrations } from './migrations';

export interface Database {
  dataSource: DataSource;
  /** The connection URL (the job queue opens its own small pool on it). */
  url: string;
  /** True when this process started the embedded PostgreSQL (DATABASE_URL unset). */
  embedded: boolean;
  /** True when the embedded PostgreSQL belongs to a running `cancel-guard start` (one-shot commands). */
  sharedWithRunningService: boolean;
  close(): Promise<void>;
}

/** Migrations on their own connection without statement timeouts: an index on a big table may take minutes. */
async function migrate(url: string, logger: Logger): Promise<void> {
  const migrator = createDataSource(url, { poolSize: 1, applicationName: 'cancel-guard-migrations' });
  await migrator.initialize();
  try {
    await runMigrations(migrator, logger.child({ module: 'migrations' }));
  } finally {
    await migrator.destroy();
  }
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL under DATA_DIR when it is unset,
 * and brings the schema up to date under the migration lock.
 */
export async function openDatabase(
  config: AppConfig,
  logger: Logger,
  options: { migrate?: boolean; poolSize?: number } = {},
): Promise<Database> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: resolve(config.dataDir, 'pg'), port: config.embeddedPgPort, logger });
    url = embedded.url;
  }
  const dataSource = createDataSource(url, { poolSize: options.poolSize ?? config.databasePoolSize, timeouts: config.databaseTimeouts });
  try {
    await dataSource.initialize();
    if (options.migrate !== false) await migrate(url, logger);
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  return {
    dataSource,
    url,
    embedded: embedded !== null && !embedded.shared,
    sharedWithRunningService: embedded?.shared ?? false,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
