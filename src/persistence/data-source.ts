import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';

/**
 * The TypeORM data source over pg. Schema changes come only from the plain-SQL migrations
 * (synchronize is off); entities mirror the tables and never leave src/persistence.
 */
export function createDataSource(url: string, options: { poolSize?: number; applicationName?: string } = {}): DataSource {
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
      connectionTimeoutMillis: 10000,
    },
  });
}
