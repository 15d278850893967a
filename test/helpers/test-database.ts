import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/persistence/data-source';
import { runMigrations } from '../../src/persistence/migrations';
import { silentLogger } from '../../src/logger';

export interface TestDatabase {
  url: string;
  dataSource: DataSource;
  /** Closes the connections and drops the database. */
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error('TEST_DATABASE_URL is unset: run tests with `npm test` (it starts an embedded PostgreSQL) or point it at a server');
  }
  return url;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** A fresh, migrated database on the test server, one per test file (real PostgreSQL, never a fake). */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const admin = new Client({ connectionString: serverUrl() });
  const name = `cg_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl(), name);
  const dataSource = createDataSource(url, { poolSize: 5 });
  await dataSource.initialize();
  if (options.migrate !== false) await runMigrations(dataSource, silentLogger());
  return {
    url,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      const dropper = new Client({ connectionString: serverUrl() });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
