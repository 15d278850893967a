import { compose, type Services } from '../../src/compose';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { silentLogger } from '../../src/logger';
import { createTestDatabase, type TestDatabase } from './test-database';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  db: TestDatabase;
  services: Services;
  config: AppConfig;
  auth: { Authorization: string };
  close(): Promise<void>;
}

/** The composed service on a fresh database, without listening (supertest drives services.app). */
export async function createTestApp(env: Record<string, string> = {}, now?: () => Date): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({ ADMIN_TOKEN: TEST_ADMIN_TOKEN, LOG_LEVEL: 'silent', ...env });
  const services = compose({
    config,
    logger: silentLogger(),
    dataSource: db.dataSource,
    credentialsSecret: 'test-secret-'.padEnd(40, 'x'),
    adminToken: TEST_ADMIN_TOKEN,
    qoo10BaseUrl: () => config.qoo10.baseUrl,
    now,
  });
  return { db, services, config, auth: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, close: () => db.drop() };
}
