import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';

/**
 * The TypeORM data source over pg. Schema changes come only from the plain-SQL migrations
 * (synchronize is off); entities mirror the tables and never leave src/persistence.
 */
export interface DatabaseTimeouts {
  /** statement_timeout: PostgreSQL cancels a statement running longer, ms. */
  statementMs: number;
  /** lock_timeout: a statement waiting longer for a lock fails, ms. */
  lockMs: number;
  /** Waiting for a new connection or a free pooled one, ms. */
  connectMs: number;
}

/** The client stops waiting for an answer this long after the server should have cancelled the statement. */
const CLIENT_GRACE_MS = 5_000;

/**
 * `timeouts` bound every statement and lock wait on the server and every answer on the client (a
 * database that does not answer at all, e.g. a dead network path, is given up on too). Without them
 * (migrations, benchmarks seeding a million rows) statements may run as long as they need.
 */
export function createDataSource(
  url: string,
  options: { poolSize?: number; applicationName?: string; timeouts?: DatabaseTimeouts } = {},
): DataSource {
  const timeouts = options.timeouts;
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // pg returns bigint as string by default; ids stay strings, counts are cast in SQL.
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'cancel-guard',
      connectionTimeoutMillis: timeouts?.connectMs ?? 10000,
      // Detects a peer that vanished without closing the connection.
      keepAlive: true,
      ...(timeouts
        ? { statement_timeout: timeouts.statementMs, lock_timeout: timeouts.lockMs, query_timeout: timeouts.statementMs + CLIENT_GRACE_MS }
        : {}),
    },
  });
}
