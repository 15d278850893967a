import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { validate as isValidCron } from 'node-cron';
import { DECISION_KINDS, STOCK_MEANINGS, type DecisionKind, type StockMeaning } from '../domain/types';
import { TEST_DEFECTS, type TestDefect } from './test-defects';

/** The real Qoo10 Japan QAPI endpoint; tests and the demo point QOO10_API_BASE_URL at the simulator. */
export const QOO10_JP_BASE_URL = 'https://api.qoo10.jp/GMKT.INC.Front.QAPIService/ebayjapan.qapi';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const DENOMINATORS = ['orders_placed', 'orders_paid'] as const;
const COHORTS = ['completed_in_period', 'paid_cohort'] as const;
const PACKED_POLICIES = ['refuse', 'accept', 'review'] as const;

/** A duration setting: a whole number of seconds, minutes or hours, e.g. 30s, 2m, 1h. */
const DURATION = /^\s*(\d+)\s*([smh])\s*$/;
const POLL_CLAIMS_INTERVAL_MESSAGE = 'POLL_CLAIMS_INTERVAL must be a duration that divides the minute, hour or day, e.g. 2m, 30s, 1h';
const POLL_ORDERS_INTERVAL_MESSAGE = 'POLL_ORDERS_INTERVAL must be a duration from 10s to 60m, e.g. 10m';
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

function durationMs(text: string): number {
  const [, amount, unit] = DURATION.exec(text)!;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/**
 * The cron expression whose ticks are the slots of a claims interval: the interval must divide the minute,
 * hour or day, so every process names the same slots. Null when it does not.
 */
export function cronForInterval(text: string): string | null {
  const [, amountText, unit] = DURATION.exec(text) ?? [];
  const amount = Number(amountText);
  if (!unit || !Number.isInteger(amount) || amount < 1) return null;
  if (unit === 's' && amount < 60 && 60 % amount === 0) return `*/${amount} * * * * *`;
  if (unit === 'm' && amount < 60 && 60 % amount === 0) return `0 */${amount} * * * *`;
  if (unit === 'm' && amount === 60) return '0 0 * * * *';
  if (unit === 'h' && amount <= 24 && 24 % amount === 0) return amount === 24 ? '0 0 0 * * *' : `0 0 */${amount} * * *`;
  return null;
}

const blankToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter((part) => part !== '') : value;
const toNumberList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value.split(',').map((part) => part.trim()).filter((part) => part !== '').map(Number)
    : value;

/**
 * The environment as class-validator sees it. Each property is one variable; the message of each
 * decorator says what the variable expects, so a bad start-up lists every problem at once.
 */
class EnvSchema {
  @IsOptional()
  @Transform(blankToUndefined)
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// connection URL' })
  DATABASE_URL?: string;

  @Transform(toNumber)
  @IsInt({ message: 'DATABASE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds from 1000 to 600000' })
  @Min(1000, { message: 'DATABASE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds from 1000 to 600000' })
  @Max(600_000, { message: 'DATABASE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds from 1000 to 600000' })
  DATABASE_STATEMENT_TIMEOUT_MS: number = 30_000;

  @Transform(toNumber)
  @IsInt({ message: 'DATABASE_LOCK_TIMEOUT_MS must be a whole number of milliseconds from 100 to 600000' })
  @Min(100, { message: 'DATABASE_LOCK_TIMEOUT_MS must be a whole number of milliseconds from 100 to 600000' })
  @Max(600_000, { message: 'DATABASE_LOCK_TIMEOUT_MS must be a whole number of milliseconds from 100 to 600000' })
  DATABASE_LOCK_TIMEOUT_MS: number = 15_000;

  @Transform(toNumber)
  @IsInt({ message: 'DATABASE_CONNECT_TIMEOUT_MS must be a whole number of milliseconds from 500 to 60000' })
  @Min(500, { message: 'DATABASE_CONNECT_TIMEOUT_MS must be a whole number of milliseconds from 500 to 60000' })
  @Max(60_000, { message: 'DATABASE_CONNECT_TIMEOUT_MS must be a whole number of milliseconds from 500 to 60000' })
  DATABASE_CONNECT_TIMEOUT_MS: number = 5_000;

  @Transform(toNumber)
  @IsInt({ message: 'PORT must be a whole number from 0 to 65535' })
  @Min(0, { message: 'PORT must be a whole number from 0 to 65535' })
  @Max(65535, { message: 'PORT must be a whole number from 0 to 65535' })
  PORT: number = 3000;

  @IsString()
  HOST: string = '0.0.0.0';

  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  ADMIN_TOKEN?: string;

  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'QOO10_API_BASE_URL must be an http(s) URL' },
  )
  QOO10_API_BASE_URL: string = QOO10_JP_BASE_URL;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  @MinLength(8, { message: 'QOO10_SELLER_AUTH_KEY looks too short to be a seller authorization key' })
  QOO10_SELLER_AUTH_KEY?: string;

  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  QOO10_SHOP_NAME?: string;

  @Transform(toNumber)
  @IsInt({ message: 'QOO10_MIN_INTERVAL_MS must be a whole number of milliseconds (0 or more)' })
  @Min(0, { message: 'QOO10_MIN_INTERVAL_MS must be a whole number of milliseconds (0 or more)' })
  QOO10_MIN_INTERVAL_MS: number = 150;

  @Transform(toNumber)
  @IsInt({ message: 'QOO10_TIMEOUT_MS must be a whole number of milliseconds from 1000' })
  @Min(1000, { message: 'QOO10_TIMEOUT_MS must be a whole number of milliseconds from 1000' })
  QOO10_TIMEOUT_MS: number = 20000;

  @IsIn(['date', 'datetime'], { message: 'QOO10_SEARCH_DATE_FORMAT must be date (yyyyMMdd) or datetime (yyyyMMddHHmmss)' })
  QOO10_SEARCH_DATE_FORMAT: string = 'date';

  @IsOptional()
  @Transform(blankToUndefined)
  @IsString()
  @MinLength(32, { message: 'CREDENTIALS_SECRET must be at least 32 characters (it encrypts stored Qoo10 keys)' })
  CREDENTIALS_SECRET?: string;

  /** How often each shop's cancel requests are polled: a duration that divides the minute, hour or day (2m, 30s, 1h). */
  @Matches(DURATION, { message: POLL_CLAIMS_INTERVAL_MESSAGE })
  POLL_CLAIMS_INTERVAL: string = '2m';

  /** How often each shop's order lists are polled (spread over the interval by shop). */
  @Matches(DURATION, { message: POLL_ORDERS_INTERVAL_MESSAGE })
  POLL_ORDERS_INTERVAL: string = '10m';

  /** Deprecated: the claims poll's cron schedule, used (with a warning) when POLL_CLAIMS_INTERVAL is unset. */
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'POLL_SCHEDULE (deprecated: use POLL_CLAIMS_INTERVAL) must be a cron expression, e.g. "*/2 * * * *"' })
  POLL_SCHEDULE?: string;

  @Transform(toList)
  @IsIn([...DECISION_KINDS].filter((kind) => kind !== 'review'), {
    each: true,
    message: 'AUTO_DECISIONS must be a comma list of: accept, refuse, seller-fault (or empty)',
  })
  AUTO_DECISIONS: string[] = ['accept', 'refuse'];

  @IsIn(PACKED_POLICIES, { message: 'PACKED_ORDERS_POLICY must be one of: refuse, accept, review' })
  PACKED_ORDERS_POLICY: string = 'review';

  @IsIn([...STOCK_MEANINGS], { message: 'STOCK_MEANING must be on_hand (units on the shelf, this order included) or available (this order already deducted)' })
  STOCK_MEANING: string = 'on_hand';

  @Transform(toNumber)
  @IsNumber({}, { message: 'CANCEL_RATE_LIMIT must be a fraction between 0 and 1, e.g. 0.07' })
  @Min(0.001, { message: 'CANCEL_RATE_LIMIT must be a fraction between 0 and 1, e.g. 0.07' })
  @Max(1, { message: 'CANCEL_RATE_LIMIT must be a fraction between 0 and 1, e.g. 0.07' })
  CANCEL_RATE_LIMIT: number = 0.07;

  @Transform(toNumberList)
  @IsNumber({}, { each: true, message: 'CANCEL_RATE_ALERT_LEVELS must be a comma list of fractions, e.g. 0.05,0.06,0.07' })
  @Min(0.001, { each: true, message: 'CANCEL_RATE_ALERT_LEVELS must be a comma list of fractions, e.g. 0.05,0.06,0.07' })
  @Max(1, { each: true, message: 'CANCEL_RATE_ALERT_LEVELS must be a comma list of fractions, e.g. 0.05,0.06,0.07' })
  CANCEL_RATE_ALERT_LEVELS: number[] = [0.05, 0.06, 0.07];

  @Transform(toNumber)
  @IsNumber({}, { message: 'CANCEL_EXCLUSION_HOURS must be a number of hours from 0 to 72' })
  @Min(0, { message: 'CANCEL_EXCLUSION_HOURS must be a number of hours from 0 to 72' })
  @Max(72, { message: 'CANCEL_EXCLUSION_HOURS must be a number of hours from 0 to 72' })
  CANCEL_EXCLUSION_HOURS: number = 6;

  @IsIn(DENOMINATORS, { message: 'CANCEL_RATE_DENOMINATOR must be one of: orders_placed, orders_paid' })
  CANCEL_RATE_DENOMINATOR: string = 'orders_placed';

  @IsIn(COHORTS, { message: 'CANCEL_RATE_COHORT must be one of: completed_in_period, paid_cohort' })
  CANCEL_RATE_COHORT: string = 'completed_in_period';

  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'TRACKING_CUTOFF_JST must be a JST time HH:MM, e.g. 17:00' })
  TRACKING_CUTOFF_JST: string = '17:00';

  @Transform(toNumber)
  @IsInt({ message: 'WORKER_CONCURRENCY must be a whole number of jobs from 1 to 256' })
  @Min(1, { message: 'WORKER_CONCURRENCY must be a whole number of jobs from 1 to 256' })
  @Max(256, { message: 'WORKER_CONCURRENCY must be a whole number of jobs from 1 to 256' })
  WORKER_CONCURRENCY: number = 48;

  /** Deprecated name of WORKER_CONCURRENCY, still read (with a warning) when the new name is unset. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt({ message: 'POLL_CONCURRENCY (deprecated: use WORKER_CONCURRENCY) must be a whole number from 1 to 256' })
  @Min(1, { message: 'POLL_CONCURRENCY (deprecated: use WORKER_CONCURRENCY) must be a whole number from 1 to 256' })
  @Max(256, { message: 'POLL_CONCURRENCY (deprecated: use WORKER_CONCURRENCY) must be a whole number from 1 to 256' })
  POLL_CONCURRENCY?: number;

  @Transform(toNumber)
  @IsInt({ message: 'SHOP_LEASE_SECONDS must be a whole number of seconds from 2 to 600' })
  @Min(2, { message: 'SHOP_LEASE_SECONDS must be a whole number of seconds from 2 to 600' })
  @Max(600, { message: 'SHOP_LEASE_SECONDS must be a whole number of seconds from 2 to 600' })
  SHOP_LEASE_SECONDS: number = 30;

  @Transform(toNumber)
  @IsInt({ message: 'WORKER_POLL_INTERVAL_MS must be a whole number of milliseconds from 500 to 60000' })
  @Min(500, { message: 'WORKER_POLL_INTERVAL_MS must be a whole number of milliseconds from 500 to 60000' })
  @Max(60_000, { message: 'WORKER_POLL_INTERVAL_MS must be a whole number of milliseconds from 500 to 60000' })
  WORKER_POLL_INTERVAL_MS: number = 2_000;

  @Transform(toNumber)
  @IsInt({ message: 'POLL_STALE_MINUTES must be a whole number of minutes from 1' })
  @Min(1, { message: 'POLL_STALE_MINUTES must be a whole number of minutes from 1' })
  POLL_STALE_MINUTES: number = 30;

  @IsOptional()
  @Transform(blankToUndefined)
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsOptional()
  @Transform(toList)
  @Matches(/^[^\s@]+@[^\s@]+$/, { each: true, message: 'ALERT_EMAIL_TO must be a comma list of email addresses' })
  ALERT_EMAIL_TO?: string[];

  @Matches(/^([^<>]*<)?[^\s@<>]+@[^\s@<>]+>?$/, { message: 'ALERT_EMAIL_FROM must be an email address' })
  ALERT_EMAIL_FROM: string = 'cancel-guard@localhost';

  /** Sender of buyer emails; ALERT_EMAIL_FROM when unset (a shop's own fromAddress wins). */
  @IsOptional()
  @Transform(blankToUndefined)
  @Matches(/^([^<>]*<)?[^\s@<>]+@[^\s@<>]+>?$/, { message: 'BUYER_EMAIL_FROM must be an email address' })
  BUYER_EMAIL_FROM?: string;

  /** Where buyers' replies go (Reply-To); unset: to the sender. A shop's own replyTo wins. */
  @IsOptional()
  @Transform(blankToUndefined)
  @Matches(/^([^<>]*<)?[^\s@<>]+@[^\s@<>]+>?$/, { message: 'BUYER_EMAIL_REPLY_TO must be an email address' })
  BUYER_EMAIL_REPLY_TO?: string;

  /** Hours after which an unanswered call-first case raises a critical alert (1–23: never a silent day). */
  @Transform(toNumber)
  @IsInt({ message: 'BUYER_CALL_FIRST_ESCALATE_HOURS must be a whole number of hours from 1 to 23' })
  @Min(1, { message: 'BUYER_CALL_FIRST_ESCALATE_HOURS must be a whole number of hours from 1 to 23' })
  @Max(23, { message: 'BUYER_CALL_FIRST_ESCALATE_HOURS must be a whole number of hours from 1 to 23' })
  BUYER_CALL_FIRST_ESCALATE_HOURS: number = 4;

  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of: ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: string = 'info';

  @IsString()
  DATA_DIR: string = '.data';

  @Transform(toNumber)
  @IsInt({ message: 'DEMO_SIMULATOR_PORT must be a whole number from 1024 to 65535' })
  @Min(1024, { message: 'DEMO_SIMULATOR_PORT must be a whole number from 1024 to 65535' })
  @Max(65535, { message: 'DEMO_SIMULATOR_PORT must be a whole number from 1024 to 65535' })
  DEMO_SIMULATOR_PORT: number = 8787;

  /** Test-only: known defects to switch on for the chaos harness's self-test (config/test-defects.ts). */
  @IsOptional()
  @Transform(toList)
  @IsIn([...TEST_DEFECTS], { each: true, message: `CANCEL_GUARD_TEST_DEFECTS must be a comma list of: ${TEST_DEFECTS.join(', ')}` })
  CANCEL_GUARD_TEST_DEFECTS?: string[];

  @Transform(toNumber)
  @IsInt({ message: 'EMBEDDED_PG_PORT must be a whole number from 1024 to 65535' })
  @Min(1024, { message: 'EMBEDDED_PG_PORT must be a whole number from 1024 to 65535' })
  @Max(65535, { message: 'EMBEDDED_PG_PORT must be a whole number from 1024 to 65535' })
  EMBEDDED_PG_PORT: number = 54329;
}

export interface AppConfig {
  /** Unset: the service starts an embedded PostgreSQL under dataDir. */
  readonly databaseUrl: string | null;
  readonly port: number;
  readonly host: string;
  /** Unset: a token is generated at start-up and printed once (demo and local use). */
  readonly adminToken: string | null;
  readonly qoo10: {
    readonly baseUrl: string;
    /** Unset (and no live shop stored): demo mode against the built-in simulator. */
    readonly sellerAuthKey: string | null;
    readonly shopName: string;
    readonly minIntervalMs: number;
    readonly timeoutMs: number;
    /** How search windows are sent (unconfirmed which Qoo10 honours to the second; INF). */
    readonly searchDateFormat: 'date' | 'datetime';
  };
  readonly credentialsSecret: string | null;
  /** The claims poll's clock: a cron expression (from POLL_CLAIMS_INTERVAL, or the deprecated POLL_SCHEDULE). */
  readonly claimsSchedule: string;
  /** Each shop's orders poll comes due once per this many ms (POLL_ORDERS_INTERVAL), at a shop's own offset. */
  readonly ordersIntervalMs: number;
  /** Jobs a worker process runs at once (WORKER_CONCURRENCY). */
  readonly workerConcurrency: number;
  /** How often an idle worker asks the queue for jobs, ms. */
  readonly workerPollIntervalMs: number;
  /** How long a shop's lease outlives its holder's last renewal, ms (a dead worker's shops wait this long). */
  readonly shopLeaseMs: number;
  /** Warnings about deprecated settings, logged at start-up. */
  readonly deprecations: readonly string[];
  /**
   * The service's database pool. Jobs hold no connection across a Qoo10 call (shop leases, not session
   * locks), so it grows slowly with the worker concurrency and stops at 20 (ADR 0020).
   */
  readonly databasePoolSize: number;
  /** A hung database must not hang the service: statement, lock and connection timeouts, ms. */
  readonly databaseTimeouts: { readonly statementMs: number; readonly lockMs: number; readonly connectMs: number };
  readonly pollStaleMinutes: number;
  readonly policy: {
    readonly autoDecisions: readonly DecisionKind[];
    readonly packedOrders: 'refuse' | 'accept' | 'review';
    readonly trackingCutoffJst: string;
    readonly stockMeaning: StockMeaning;
  };
  readonly rate: {
    readonly limit: number;
    readonly alertLevels: readonly number[];
    readonly exclusionHours: number;
    readonly denominator: 'orders_placed' | 'orders_paid';
    /** completed_in_period: cancels completed in the period ÷ the denominator; paid_cohort: Qoo10 email's wording. */
    readonly cohort: (typeof COHORTS)[number];
  };
  readonly email: {
    readonly smtpUrl: string | null;
    readonly to: readonly string[];
    readonly from: string;
  };
  /** Buyer emails: sender, Reply-To, and when an unanswered call-first case escalates. */
  readonly buyerEmail: {
    readonly from: string;
    readonly replyTo: string | null;
    readonly callFirstEscalateHours: number;
  };
  readonly logLevel: string;
  readonly dataDir: string;
  readonly embeddedPgPort: number;
  readonly demoSimulatorPort: number;
  /** Test-only known defects (CANCEL_GUARD_TEST_DEFECTS); empty in production. */
  readonly testDefects: readonly TestDefect[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describeErrors(errors: ValidationError[], raw: Record<string, string | undefined>): string[] {
  return errors.map((error) => {
    // Several decorators on one variable often say the same thing; say it once. Each message
    // starts with the variable's name. Secrets are never echoed back.
    const unique = [...new Set(Object.values(error.constraints ?? {}))];
    const secret = /KEY|TOKEN|SECRET|URL/.test(error.property);
    const got = secret ? '' : ` (got ${JSON.stringify(raw[error.property] ?? '')})`;
    return `${unique.join('; ')}${got}`;
  });
}

/**
 * Reads and validates every setting. The only place in the service that looks at the environment:
 * main.ts passes process.env here and everything else receives the frozen result.
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  // Only the variables the schema declares are read (ES2022 class fields make every one an own key).
  const known = Object.fromEntries(
    Object.keys(new EnvSchema()).filter((name) => env[name] !== undefined).map((name) => [name, env[name]]),
  );
  const parsed = plainToInstance(EnvSchema, known, { exposeDefaultValues: true });
  const problems = describeErrors(validateSync(parsed, { forbidUnknownValues: false }), known);

  if (parsed.POLL_SCHEDULE !== undefined && !isValidCron(parsed.POLL_SCHEDULE)) {
    problems.push(`POLL_SCHEDULE (deprecated: use POLL_CLAIMS_INTERVAL) must be a cron expression, e.g. "*/2 * * * *" (got ${JSON.stringify(parsed.POLL_SCHEDULE)})`);
  }
  if (DURATION.test(parsed.POLL_CLAIMS_INTERVAL) && cronForInterval(parsed.POLL_CLAIMS_INTERVAL) === null) {
    problems.push(`${POLL_CLAIMS_INTERVAL_MESSAGE} (got ${JSON.stringify(parsed.POLL_CLAIMS_INTERVAL)})`);
  }
  if (DURATION.test(parsed.POLL_ORDERS_INTERVAL) && (durationMs(parsed.POLL_ORDERS_INTERVAL) < 10_000 || durationMs(parsed.POLL_ORDERS_INTERVAL) > 3_600_000)) {
    problems.push(`${POLL_ORDERS_INTERVAL_MESSAGE} (got ${JSON.stringify(parsed.POLL_ORDERS_INTERVAL)})`);
  }
  const levels = Array.isArray(parsed.CANCEL_RATE_ALERT_LEVELS) ? parsed.CANCEL_RATE_ALERT_LEVELS : [];
  if (levels.length === 0) {
    problems.push('CANCEL_RATE_ALERT_LEVELS must list at least one level, e.g. 0.05,0.06,0.07');
  }
  if (parsed.DATABASE_URL && parsed.QOO10_SELLER_AUTH_KEY && !parsed.CREDENTIALS_SECRET) {
    problems.push('CREDENTIALS_SECRET is required in production (DATABASE_URL and a Qoo10 key are set); it encrypts stored keys');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const deprecations: string[] = [];
  let workerConcurrency = parsed.WORKER_CONCURRENCY;
  if (parsed.POLL_CONCURRENCY !== undefined) {
    if (known.WORKER_CONCURRENCY === undefined) {
      workerConcurrency = parsed.POLL_CONCURRENCY;
      deprecations.push('POLL_CONCURRENCY is deprecated: rename it to WORKER_CONCURRENCY (same meaning: jobs a worker runs at once)');
    } else {
      deprecations.push('POLL_CONCURRENCY is deprecated and ignored because WORKER_CONCURRENCY is set: remove it');
    }
  }

  let claimsSchedule = cronForInterval(parsed.POLL_CLAIMS_INTERVAL)!;
  if (parsed.POLL_SCHEDULE !== undefined) {
    if (known.POLL_CLAIMS_INTERVAL === undefined) {
      claimsSchedule = parsed.POLL_SCHEDULE;
      deprecations.push('POLL_SCHEDULE is deprecated: set POLL_CLAIMS_INTERVAL instead (e.g. 2m); its cron expression is still used as the claims-poll schedule');
    } else {
      deprecations.push('POLL_SCHEDULE is deprecated and ignored because POLL_CLAIMS_INTERVAL is set: remove it');
    }
  }

  const config: AppConfig = {
    databaseUrl: parsed.DATABASE_URL ?? null,
    port: parsed.PORT,
    host: parsed.HOST,
    adminToken: parsed.ADMIN_TOKEN ?? null,
    qoo10: {
      baseUrl: parsed.QOO10_API_BASE_URL.replace(/\/+$/, ''),
      sellerAuthKey: parsed.QOO10_SELLER_AUTH_KEY ?? null,
      shopName: parsed.QOO10_SHOP_NAME ?? 'My Qoo10 shop',
      minIntervalMs: parsed.QOO10_MIN_INTERVAL_MS,
      timeoutMs: parsed.QOO10_TIMEOUT_MS,
      searchDateFormat: parsed.QOO10_SEARCH_DATE_FORMAT as 'date' | 'datetime',
    },
    credentialsSecret: parsed.CREDENTIALS_SECRET ?? null,
    claimsSchedule,
    ordersIntervalMs: durationMs(parsed.POLL_ORDERS_INTERVAL),
    workerConcurrency,
    workerPollIntervalMs: parsed.WORKER_POLL_INTERVAL_MS,
    shopLeaseMs: parsed.SHOP_LEASE_SECONDS * 1000,
    deprecations,
    databasePoolSize: Math.min(20, 6 + Math.ceil(workerConcurrency / 4)),
    databaseTimeouts: {
      statementMs: parsed.DATABASE_STATEMENT_TIMEOUT_MS,
      lockMs: parsed.DATABASE_LOCK_TIMEOUT_MS,
      connectMs: parsed.DATABASE_CONNECT_TIMEOUT_MS,
    },
    pollStaleMinutes: parsed.POLL_STALE_MINUTES,
    policy: {
      autoDecisions: parsed.AUTO_DECISIONS as DecisionKind[],
      packedOrders: parsed.PACKED_ORDERS_POLICY as AppConfig['policy']['packedOrders'],
      trackingCutoffJst: parsed.TRACKING_CUTOFF_JST,
      stockMeaning: parsed.STOCK_MEANING as StockMeaning,
    },
    rate: {
      limit: parsed.CANCEL_RATE_LIMIT,
      alertLevels: [...levels].sort((a, b) => a - b),
      exclusionHours: parsed.CANCEL_EXCLUSION_HOURS,
      denominator: parsed.CANCEL_RATE_DENOMINATOR as AppConfig['rate']['denominator'],
      cohort: parsed.CANCEL_RATE_COHORT as AppConfig['rate']['cohort'],
    },
    email: {
      smtpUrl: parsed.SMTP_URL ?? null,
      to: parsed.ALERT_EMAIL_TO ?? [],
      from: parsed.ALERT_EMAIL_FROM,
    },
    buyerEmail: {
      from: parsed.BUYER_EMAIL_FROM ?? parsed.ALERT_EMAIL_FROM,
      replyTo: parsed.BUYER_EMAIL_REPLY_TO ?? null,
      callFirstEscalateHours: parsed.BUYER_CALL_FIRST_ESCALATE_HOURS,
    },
    logLevel: parsed.LOG_LEVEL,
    dataDir: parsed.DATA_DIR,
    embeddedPgPort: parsed.EMBEDDED_PG_PORT,
    demoSimulatorPort: parsed.DEMO_SIMULATOR_PORT,
    testDefects: (parsed.CANCEL_GUARD_TEST_DEFECTS ?? []) as TestDefect[],
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The process's own environment: the one place outside main.ts that touches process.env. */
export function loadConfigFromProcess(): AppConfig {
  return loadConfig(process.env);
}
