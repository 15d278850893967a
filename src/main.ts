import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import type { AppConfig } from './config/config';
import { enableTestDefects } from './config/test-defects';
import { createLogger, type Logger } from './logger';
import { openDatabase, type Database } from './persistence/database';
import { compose, type Services } from './compose';
import { Scheduler } from './jobs/scheduler';
import { slotLengthMs, tickScheduleFor, WorkQueue } from './jobs/work-queue';
import { QAPI_BASE_PATH, startSimulator, type SimulatorHandle } from './qoo10/simulator/start-simulator';
import { demoScenario } from './qoo10/simulator/demo-scenario';
import { checkStoredKeys, SET_KEY_COMMAND } from './services/key-check';

export interface ServiceHandle {
  /** The admin HTTP address, or null when started without listening (one-shot commands). */
  url: string | null;
  adminToken: string;
  services: Services;
  database: Database;
  /** The in-process Qoo10 simulator in demo mode, else null. */
  simulator: SimulatorHandle | null;
  scheduler: Scheduler;
  /** The job queue (null for one-shot commands that neither schedule nor work). */
  queue: WorkQueue | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  announce?: (line: string) => void;
  /** Serve the admin HTTP API (default true). */
  listen?: boolean;
  /**
   * Queue each shop's due polls on the claims clock (POLL_CLAIMS_INTERVAL), and the current slot's right
   * away (default true). Every process ticks; the queue keeps one job per shop per slot however many do.
   */
  schedule?: boolean;
  /** Run WORKER_CONCURRENCY workers on the queue in this process (default: as `schedule`). */
  work?: boolean;
}

/**
 * Decisions and sends a worker process runs at once: each may hold a transaction across a Qoo10 read, so a
 * third of the pool, leaving the rest to the polls and the HTTP side.
 */
function heavySlots(config: AppConfig): number {
  return Math.max(1, Math.floor(config.databasePoolSize / 3));
}

/** New demo orders per minute in the simulator, so the demo month keeps moving. */
const DEMO_ORDERS_PER_MINUTE = 2;

/**
 * Without CREDENTIALS_SECRET (local and demo use) a random secret is kept in DATA_DIR so stored keys
 * survive restarts. Production sets CREDENTIALS_SECRET (config requires it there).
 */
export function credentialsSecret(config: AppConfig): string {
  if (config.credentialsSecret) return config.credentialsSecret;
  const file = resolve(config.dataDir, 'credentials.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(config.dataDir), { recursive: true });
  const secret = randomBytes(32).toString('base64');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Thrown when the admin HTTP port cannot be opened; the message names the variable to change. */
export class ListenError extends Error {
  constructor(
    readonly code: string,
    host: string,
    port: number,
  ) {
    super(
      code === 'EADDRINUSE'
        ? `PORT ${port} on ${host} is already in use by another process: stop it or set PORT to a free port.`
        : code === 'EACCES'
          ? `PORT ${port} on ${host} needs more privileges than this process has: set PORT to 1024 or above.`
          : code === 'EADDRNOTAVAIL'
            ? `HOST ${host} is not an address of this machine: set HOST to 0.0.0.0, 127.0.0.1 or one of its addresses.`
            : `The admin HTTP server could not listen on ${host}:${port} (${code}): check HOST and PORT.`,
    );
    this.name = 'ListenError';
  }
}

/**
 * node:http directly, not app.listen: express 5 passes a listen error to the success callback, so a
 * taken port would look like a running service.
 */
/**
 * Without ADMIN_TOKEN the token generated on the first start is kept in DATA_DIR/admin.token (owner
 * read-only), so a restart does not log out an open dashboard tab.
 */
function storedAdminToken(config: AppConfig): string {
  if (config.adminToken) return config.adminToken;
  const file = resolve(config.dataDir, 'admin.token');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 16) return kept;
  }
  mkdirSync(resolve(config.dataDir), { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

function listen(app: Services['app'], host: string, port: number): Promise<Server> {
  return new Promise((done, fail) => {
    const server = createServer(app);
    server.once('error', (error: NodeJS.ErrnoException) => fail(new ListenError(error.code ?? 'unknown', host, port)));
    server.listen(port, host, () => done(server));
  });
}

/** The demo: the simulator with a busy demo month, the shop's local facts, and a slow order stream. */
async function startDemo(services: Services, port: number, logger: Logger): Promise<SimulatorHandle> {
  const scenario = demoScenario(new Date());
  const demoShop = scenario.shops[0]!;
  let simulator: SimulatorHandle;
  try {
    simulator = await startSimulator({ scenario, logger, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    logger.warn({ port }, 'demo simulator port in use; using a free port');
    simulator = await startSimulator({ scenario, logger, port: 0 });
  }
  await services.demo.seed(demoShop, new Date());
  simulator.startOrderStream({ sellerAuthKey: demoShop.sellerAuthKey, ratePerMinute: DEMO_ORDERS_PER_MINUTE });
  return simulator;
}

/**
 * Start-up: config → logger → database → migrations → compose → (demo simulator) → scheduler → HTTP.
 * Returns a handle whose stop() undoes every step in reverse (used by SIGTERM and by tests).
 */
export async function startService(config: AppConfig, options: StartOptions = {}): Promise<ServiceHandle> {
  const logger = options.logger ?? createLogger(config.logLevel);
  enableTestDefects(config.testDefects);
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  const database = await openDatabase(config, logger);
  const cleanups: Array<() => Promise<void>> = [() => database.close()];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error) => logger.error({ err: error }, 'shutdown step failed'));
    }
  };
  try {
    const adminToken = storedAdminToken(config);
    let qoo10BaseUrl = config.qoo10.baseUrl;
    const services = compose({
      config,
      logger,
      dataSource: database.dataSource,
      credentialsSecret: credentialsSecret(config),
      adminToken,
      qoo10BaseUrl: () => qoo10BaseUrl,
    });

    let simulator: SimulatorHandle | null = null;
    if (config.qoo10.sellerAuthKey) {
      await services.shops.ensureShopForKey({ name: config.qoo10.shopName, sellerAuthKey: config.qoo10.sellerAuthKey, isDemo: false });
    } else if (!(await services.shops.hasLiveShop())) {
      if (database.sharedWithRunningService) {
        // A one-shot command beside a running demo: use that service's simulator, keep its data.
        qoo10BaseUrl = `http://127.0.0.1:${config.demoSimulatorPort}${QAPI_BASE_PATH}`;
      } else {
        simulator = await startDemo(services, config.demoSimulatorPort, logger);
        const sim = simulator;
        cleanups.push(() => sim.close());
        qoo10BaseUrl = simulator.url;
        announce(`Demo mode: no QOO10_SELLER_AUTH_KEY set, so the built-in Qoo10 simulator serves a demo shop (${simulator.url}).`);
      }
    }

    const undecryptable = await checkStoredKeys({ shops: services.shops, alerts: services.alerts, logger, now: new Date(), configuredKey: config.qoo10.sellerAuthKey });
    for (const shop of undecryptable) announce(`The stored Qoo10 key of shop "${shop.name}" cannot be decrypted (CREDENTIALS_SECRET changed). Store it again: ${SET_KEY_COMMAND} ${shop.id}`);

    let url: string | null = null;
    if (options.listen !== false) {
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
      url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
      logger.info({ url }, 'cancel-guard is listening');
      if (!config.adminToken) announce(`No ADMIN_TOKEN configured; the admin token is: ${adminToken} (kept in ${resolve(config.dataDir, 'admin.token')} across restarts)`);
      announce(`cancel-guard is running at ${url} (dashboard: ${url}/ , health: ${url}/healthz)`);
    }

    // After the port is ours: a service that cannot be reached must not act on Qoo10 either.
    const scheduler = new Scheduler(logger.child({ module: 'scheduler' }));
    cleanups.push(() => scheduler.stop());
    cleanups.push(async () => {
      services.mailer?.close();
      services.buyerMailer.close();
    });
    for (const warning of config.deprecations) logger.warn({ deprecated: true }, warning);
    const work = options.work ?? options.schedule !== false;
    let queue: WorkQueue | null = null;
    if (options.schedule !== false || work) {
      const queueLogger = logger.child({ module: 'work-queue' });
      const q = new WorkQueue({
        connectionString: database.url,
        kinds: services.jobs,
        concurrency: config.workerConcurrency,
        heavySlots: heavySlots(config),
        pollIntervalMs: config.workerPollIntervalMs,
        logger: queueLogger,
        activeShopIds: () => services.shops.listActiveShopIds(),
        shopIdsTtlMs: slotLengthMs(config.claimsSchedule),
      });
      queue = q;
      // Registered before start: a start that fails half-way still closes the queue's pool.
      cleanups.push(() => q.stop());
      await q.start(work);
      if (options.schedule !== false) {
        const enqueue = async () => {
          const { offered } = await q.enqueueDue(new Date());
          if (Object.values(offered).some((n) => n > 0)) queueLogger.debug({ offered }, 'due jobs queued');
        };
        // The tick is finer than the claims interval: each shop's slot begins at its own phase (ADR 0027).
        scheduler.schedule('poll', tickScheduleFor(config.claimsSchedule), enqueue);
        void scheduler.runOnce('poll', enqueue);
      }
    }
    return { url, adminToken, services, database, simulator, scheduler, queue, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
