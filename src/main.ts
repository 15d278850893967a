import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { AppConfig } from './config/config';
import { createLogger, type Logger } from './logger';
import { openDatabase, type Database } from './persistence/database';
import { compose, type Services } from './compose';

export interface ServiceHandle {
  url: string;
  adminToken: string;
  services: Services;
  database: Database;
  stop(): Promise<void>;
}

/**
 * Without CREDENTIALS_SECRET (local and demo use) a random secret is kept in DATA_DIR so stored keys
 * survive restarts. Production sets CREDENTIALS_SECRET (config requires it there).
 */
function credentialsSecret(config: AppConfig): string {
  if (config.credentialsSecret) return config.credentialsSecret;
  const file = resolve(config.dataDir, 'credentials.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(config.dataDir), { recursive: true });
  const secret = randomBytes(32).toString('base64');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function listen(app: Services['app'], host: string, port: number): Promise<Server> {
  return new Promise((done, fail) => {
    const server = app.listen(port, host, () => done(server));
    server.once('error', fail);
  });
}

/**
 * Start-up: config → logger → database → migrations → compose → scheduler → HTTP.
 * Returns a handle whose stop() undoes every step in reverse (used by SIGTERM and by tests).
 */
export async function startService(
  config: AppConfig,
  options: { logger?: Logger; announce?: (line: string) => void } = {},
): Promise<ServiceHandle> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  const database = await openDatabase(config, logger);
  const cleanups: Array<() => Promise<void>> = [() => database.close()];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error) => logger.error({ err: error }, 'shutdown step failed'));
    }
  };
  try {
    const adminToken = config.adminToken ?? randomBytes(24).toString('base64url');
    const services = compose({
      config,
      logger,
      dataSource: database.dataSource,
      credentialsSecret: credentialsSecret(config),
      adminToken,
      qoo10BaseUrl: config.qoo10.baseUrl,
    });
    if (config.qoo10.sellerAuthKey) {
      await services.shops.ensureShopForKey({ name: config.qoo10.shopName, sellerAuthKey: config.qoo10.sellerAuthKey, isDemo: false });
    }

    const server = await listen(services.app, config.host, config.port);
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    );
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    logger.info({ url }, 'cancel-guard is listening');
    if (!config.adminToken) {
      announce(`No ADMIN_TOKEN configured; this run's admin token is: ${adminToken}`);
    }
    announce(`cancel-guard is running at ${url} (dashboard: ${url}/ , health: ${url}/healthz)`);
    return { url, adminToken, services, database, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
