// The commands of the command line (cli.ts is its entry).
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfigFromProcess, type AppConfig } from './config/config';
import { AppError } from './errors';
import { createLogger } from './logger';
import { openDatabase } from './persistence/database';
import { loadEmbeddedPostgres } from './persistence/embedded-postgres';
import { credentialsSecret, startService, type ServiceHandle } from './main';
import { defaultShopPolicy } from './compose';
import { ShopRepository } from './persistence/shop-repository';
import { CredentialsCipher } from './persistence/credentials-cipher';
import { runSimulatorCommand } from './qoo10/simulator/run-simulator-command';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { formatRateReport, rateReportToJson } from './services/rate-report';
import { basename } from 'node:path';
import { LABEL_FORMATS, type LabelFormat } from './domain/label-csv';
import { LabelFileRefusedError } from './services/tracking-service';
import { describeTrackingReport, visibleText } from './services/tracking-import';
import type { HeldShipment } from './persistence/held-shipment-repository';
import { presentReviewItem } from './http/presenters';
import { formatVerifyLiveReport } from './services/verify-live-report';
import { askTypedConfirmation } from './services/verify-live-prompt';
import { presentBuyerMessage } from './http/routes/message-routes';
import { projectPath } from './config/paths';
import type { ReviewItem } from './persistence/cancel-request-repository';

interface CommandOption {
  type: 'string' | 'boolean';
  description: string;
}

interface Command {
  summary: string;
  usage: string;
  options: Record<string, CommandOption>;
  /** The command reads its own arguments (and prints its own --help). */
  rawArgs?: boolean;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

function config(): AppConfig {
  return loadConfigFromProcess();
}

/** An error whose message is the whole story for the person at the terminal (one line, no stack). */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Reads an input file, or says in one line which path to fix (never a raw ENOENT). */
function readInputFile(file: string, what: string): Buffer {
  if (!existsSync(file)) throw new CliError(`${what} not found: ${file} (check the path)`, 2);
  if (statSync(file).isDirectory()) throw new CliError(`${what} is a folder, not a file: ${file}`, 2);
  return readFileSync(file);
}

const DATABASE_CONNECT_CODES: Record<string, string> = {
  ECONNREFUSED: 'refused the connection (is PostgreSQL running on that host and port?)',
  ENOTFOUND: 'has a host name that does not resolve',
  EAI_AGAIN: 'has a host name that does not resolve',
  ETIMEDOUT: 'did not answer in time',
  EHOSTUNREACH: 'is not reachable from this machine',
  '28P01': 'rejected the user name or password',
  '28000': 'does not allow this user to connect',
  '3D000': 'names a database that does not exist',
};

/**
 * A failure to reach the database at start-up, as one line naming DATABASE_URL. The URL itself is
 * never printed: it holds the password.
 */
function databaseProblem(error: unknown): CliError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code in DATABASE_CONNECT_CODES)) return null;
  return new CliError(`DATABASE_URL: the database server ${DATABASE_CONNECT_CODES[code]}. Fix DATABASE_URL (or unset it to use the embedded PostgreSQL) and try again.`, 2);
}

/**
 * Starts the service and runs it until SIGTERM or SIGINT, then stops it. The signals are taken over before
 * start-up, so one that arrives while the service is still starting stops it as soon as it has started.
 * embedded-postgres installs its own signal hook (async-exit-hook) that stops its servers and exits with 143,
 * racing the service's orderly stop (which stops the embedded server last): it is loaded first and its
 * listeners are removed, so the service's stop is the one shutdown.
 */
async function runUntilSignal(start: () => Promise<ServiceHandle>): Promise<void> {
  await loadEmbeddedPostgres();
  let received: (signal: string) => void = () => undefined;
  const signalled = new Promise<string>((done) => (received = done));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    // A signal can come twice (to the process group and passed on by the parent, heap-flags.ts): the
    // first one stops the service, a repeat does not cut the stop short.
    process.on(signal, () => received(signal));
  }
  const service = await start();
  const signal = await signalled;
  process.stdout.write(`${signal} received, shutting down\n`);
  await service.stop();
}

/** startService with start-up failures turned into one-line messages. */
async function startOrExplain(cfg: AppConfig, options: Parameters<typeof startService>[1]): Promise<ServiceHandle> {
  try {
    return await startService(cfg, options);
  } catch (error) {
    throw databaseProblem(error) ?? error;
  }
}

type Texts = Record<string, string>;
/** The dashboard's texts (one source for page and terminal); Japanese is the shops' language. */
function texts(lang: string | undefined): { t: (key: string, fallback: string) => string } {
  const all = require(projectPath('src/http/dashboard/i18n.js')) as { ja: Texts; en: Texts };
  const table = lang === 'en' ? all.en : all.ja;
  return { t: (key, fallback) => table[key] ?? fallback };
}

const JST_TIME = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

/** One review item as a few lines: order, item, why, and what to run for the suggested action. */
function describeReviewItem(item: ReviewItem, t: (key: string, fallback: string) => string): string {
  const d = item.decision;
  const action = d ? (d.kind === 'review' ? d.suggested : d.kind) : null;
  // The full reason in the shop's language (the rules' own sentence where no translation exists).
  const why = d ? `${t(`code.${d.code}`, d.code)} — ${t(`reason.${d.code}`, d.reason)}` : '—';
  const suggestion = action
    ? `${t('cli.suggested', 'suggested')}: ${t(`kind.${action}`, action)}  →  cancel-guard review approve ${item.request.id}`
    : `${t('cli.suggested', 'suggested')}: ${t('review.noSuggestion', 'none')}  →  cancel-guard review override ${item.request.id} --kind accept|refuse|seller-fault --note "..."`;
  return [
    `#${item.request.id}  ${t('review.order', 'order')} ${item.request.orderNo}  ${item.itemTitle ?? ''}${item.sellerItemCode ? ` (${item.sellerItemCode})` : ''}  ${t('review.requested', 'requested')} ${JST_TIME.format(item.request.requestedAt)}`,
    `    ${t('review.why', 'why')}: ${why}`,
    `    ${suggestion}`,
  ].join('\n');
}

/** The service without HTTP or schedule, for one-shot commands; always stopped afterwards. */
async function withService<T>(run: (service: ServiceHandle) => Promise<T>): Promise<T> {
  const cfg = config();
  // Logs go to stderr at warn and above, so stdout carries only the command's own output (and --json).
  const level = cfg.logLevel === 'info' ? 'warn' : cfg.logLevel;
  const service = await startOrExplain(cfg, {
    listen: false,
    schedule: false,
    logger: createLogger(level, pino.destination(2)),
    announce: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    return await run(service);
  } finally {
    await service.stop();
  }
}

/** The shop repository on the database, without starting the service (no demo, no simulator, no schedule). */
async function withShops<T>(run: (shops: ShopRepository) => Promise<T>): Promise<T> {
  const cfg = config();
  const database = await openDatabase(cfg, createLogger(cfg.logLevel === 'info' ? 'warn' : cfg.logLevel, pino.destination(2)));
  try {
    const shops = new ShopRepository(database.dataSource, new CredentialsCipher(credentialsSecret(cfg)), { policy: defaultShopPolicy(cfg) });
    return await run(shops);
  } finally {
    await database.close();
  }
}

/** The whole of standard input, trimmed (a pasted key ends with a newline). */
async function readKeyFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Paste the seller authorization key, then press Enter and Ctrl-D:\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

function print(values: Record<string, unknown>, data: unknown, text: () => string): void {
  process.stdout.write(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}

const COMMANDS: Record<string, Command> = {
  start: {
    summary: 'run the daemon (claims polls every POLL_CLAIMS_INTERVAL, orders polls every POLL_ORDERS_INTERVAL) and the admin HTTP API and dashboard',
    usage: 'cancel-guard start',
    options: {},
    async run() {
      await runUntilSignal(() => startOrExplain(config(), {}));
      return 0;
    },
  },
  worker: {
    summary: 'run workers only (no HTTP): queue the due shop polls every POLL_CLAIMS_INTERVAL and work WORKER_CONCURRENCY jobs at once; run as many as you like on one database',
    usage: 'cancel-guard worker',
    options: {},
    async run() {
      await runUntilSignal(async () => {
        const service = await startOrExplain(config(), { listen: false });
        process.stdout.write('cancel-guard worker is running (no HTTP); stop it with SIGTERM\n');
        return service;
      });
      return 0;
    },
  },
  migrate: {
    summary: 'apply pending database migrations and exit',
    usage: 'cancel-guard migrate',
    options: {},
    async run() {
      const cfg = config();
      const database = await openDatabase(cfg, createLogger(cfg.logLevel)).catch((error: unknown) => {
        throw databaseProblem(error) ?? error;
      });
      await database.close();
      process.stdout.write('database schema is up to date\n');
      return 0;
    },
  },
  poll: {
    summary: 'run one poll cycle (fetch, decide, act) for every active shop, then exit',
    usage: 'cancel-guard poll --once [--json]',
    options: {
      once: { type: 'boolean', description: 'run one cycle and exit (required; the schedule runs under start)' },
      json: { type: 'boolean', description: 'print the per-shop report as JSON' },
    },
    async run(values) {
      if (!values.once) {
        process.stderr.write('poll runs on the schedule under "cancel-guard start"; use --once for a single cycle\n');
        return 2;
      }
      const { reports, names } = await withService(async (service) => {
        const reports = await service.services.pipeline.runCycle();
        const names = new Map((await service.services.shops.listShops()).map((shop) => [shop.id, shop.name]));
        return { reports, names };
      });
      const named = reports.map((r) => ({ ...r, shopName: names.get(r.shopId) ?? null }));
      print(values, named, () =>
        named
          .map((r) => `${r.shopName ?? '(unnamed shop)'} [${r.shopId}]  ${r.status}  ${Object.entries(r.counts).map(([k, v]) => `${k}=${v}`).join(' ')}${r.error ? `  error: ${r.error}` : ''}`)
          .join('\n') || 'no active shops: set QOO10_SELLER_AUTH_KEY, or run without it for the demo shop',
      );
      return reports.some((r) => r.status === 'failed') ? 1 : 0;
    },
  },
  review: {
    summary: 'list the review queue, or approve / override / mark handled one request',
    usage: 'cancel-guard review [list | approve <id> | override <id> --kind accept|refuse|seller-fault --note "..." | handled <id>] [--note "..."] [--lang ja|en] [--json]',
    options: {
      lang: { type: 'string', description: 'list in ja (default, the shops\' language) or en' },
      kind: { type: 'string', description: 'override: accept, refuse or seller-fault' },
      note: { type: 'string', description: 'why (required for override)' },
      person: { type: 'string', description: 'who decides (default: cli)' },
      json: { type: 'boolean', description: 'print JSON' },
    },
    async run(values, positionals) {
      const [action = 'list', id] = positionals;
      const person = (values.person as string | undefined) ?? 'cli';
      const note = (values.note as string | undefined) ?? null;
      return withService(async ({ services }) => {
        if (action === 'list') {
          const items = await services.review.queue();
          const { t } = texts(values.lang as string | undefined);
          print(values, items.map(presentReviewItem), () => items.map((item) => describeReviewItem(item, t)).join('\n') || t('review.empty', 'the review queue is empty'));
          return 0;
        }
        if (!id) throw new CliError(`review ${action} needs a request id (see "cancel-guard review list")`, 2);
        if (action === 'approve') print(values, await services.review.approve(id, person, note), () => `request #${id} approved`);
        else if (action === 'handled') {
          await services.review.markHandled(id, person, note);
          print(values, { id, status: 'closed' }, () => `request #${id} marked as handled in QSM`);
        } else if (action === 'override') {
          const kind = values.kind as 'accept' | 'refuse' | 'seller-fault' | undefined;
          if (!kind || !['accept', 'refuse', 'seller-fault'].includes(kind) || !note) throw new CliError('override needs --kind accept|refuse|seller-fault and --note', 2);
          print(values, await services.review.override(id, kind, person, note), () => `request #${id} overridden: ${kind}`);
        } else throw new CliError(`unknown review action "${action}": use list, approve, override or handled`, 2);
        return 0;
      });
    },
  },
  messages: {
    summary: 'print the buyer message of a request as QSM-ready plain text (show), or mark it sent in QSM (sent)',
    usage: 'cancel-guard messages [show <requestId> | sent <requestId>] [--person <name>] [--json]',
    options: {
      person: { type: 'string', description: 'sent: who sent it in QSM (default: cli)' },
      json: { type: 'boolean', description: 'print JSON' },
    },
    async run(values, positionals) {
      const [action = 'show', id] = positionals;
      if (!id || !/^\d{1,18}$/.test(id)) throw new Error(`messages ${action} needs a cancel request id (a whole number)`);
      if (action !== 'show' && action !== 'sent') throw new Error(`unknown messages action "${action}"`);
      return withService(async ({ services }) => {
        const draft =
          action === 'sent'
            ? await services.buyerMessages.markSent(id, (values.person as string | undefined) ?? 'cli', new Date())
            : (await services.buyerMessages.draftOfRequest(id)).draft;
        const shown = presentBuyerMessage(draft);
        // stdout carries only the text to paste into QSM; the state goes to stderr.
        const state = [
          `request #${id}, order ${draft.orderNo}, ${draft.language}, ${draft.templateKey}`,
          draft.qsmSent ? `sent in QSM ${draft.qsmSent.at.toISOString()} by ${draft.qsmSent.by}` : 'not sent in QSM yet',
          ...(draft.callFirst.call ? [`CALL FIRST (${draft.callFirst.reasons.join(', ')})${draft.buyerPhone ? `: ${draft.buyerPhone}` : ''}`] : []),
          ...(shown.qsm.fits === false ? [`too long for QSM: ${shown.qsm.length} of ${shown.qsm.maxLength} characters`] : []),
          ...(draft.needsPerson ? [`needs a person: missing ${draft.missing.join(', ') || '-'} ${draft.problems.join('; ')}`] : []),
        ];
        if (!values.json) process.stderr.write(`${state.join('\n')}\n\n`);
        print(values, shown, () => shown.qsmText ?? '(no text: a person must write this message)');
        return draft.needsPerson && !draft.edited ? 1 : 0;
      });
    },
  },
  rate: {
    summary: 'print the monthly cancellation rate (JST month): figures, definition, breakdown, pending what-if',
    usage: 'cancel-guard rate [--shop <id>] [--month YYYY-MM] [--json]',
    options: {
      shop: { type: 'string', description: 'shop id (needed when several shops are active)' },
      month: { type: 'string', description: 'JST month as YYYY-MM (default: the current month)' },
      json: { type: 'boolean', description: 'print JSON' },
    },
    async run(values) {
      return withService(async ({ services }) => {
        const shop = await services.rates.resolveShop(values.shop as string | undefined);
        const report = await services.rates.monthlyRate(shop.id, values.month as string | undefined);
        print(values, { shop: { id: shop.id, name: shop.name }, ...rateReportToJson(report) }, () => formatRateReport(report, { shopName: shop.name }));
        return 0;
      });
    },
  },
  'import-stock': {
    summary: 'set stock per seller item code from a CSV (seller_item_code,available); what "available" means is STOCK_MEANING (on_hand or available)',
    usage: 'cancel-guard import-stock <file.csv> [--shop <id>] [--allow-unknown] [--json]',
    options: {
      'allow-unknown': { type: 'boolean', description: 'accept item codes the shop has never seen (new listings)' },
      shop: { type: 'string', description: 'shop id (needed when several shops are active)' },
      json: { type: 'boolean', description: 'print JSON' },
    },
    async run(values, positionals) {
      const [file] = positionals;
      if (!file) throw new CliError('import-stock needs a CSV file: cancel-guard import-stock <file.csv>', 2);
      const csv = readInputFile(file, 'stock file');
      const result = await withService(({ services }) =>
        services.facts.importStock(values.shop as string | undefined, csv, { allowUnknown: values['allow-unknown'] === true }),
      ).catch((error: unknown) => {
        // A file refused whole (wrong header, empty, unreadable) is the file's fault: one line, exit 2.
        if (error instanceof AppError && error.status === 400) throw new CliError(`${basename(file)}: ${error.message}`, 2);
        throw error;
      });
      print(values, result, () =>
        [`${result.imported} item(s) updated`, ...result.errors.map((e) => `${basename(file)} line ${e.line}: ${e.message}`)].join('\n'),
      );
      return result.errors.length > 0 ? 1 : 0;
    },
  },
  'import-tracking': {
    summary: 'submit the tracking numbers of a label-software export (B2クラウド, e飛伝Ⅱ/Ⅲ, ゆうプリR, クリックポスト, generic CSV)',
    usage: 'cancel-guard import-tracking <file> [--format <format>] [--shop <id>] [--json]',
    options: {
      format: { type: 'string', description: `the export's layout, when detection is not enough: ${LABEL_FORMATS.join(', ')}` },
      shop: { type: 'string', description: 'shop id (needed when several shops are active)' },
      json: { type: 'boolean', description: 'print the report as JSON' },
    },
    async run(values, positionals) {
      const [file] = positionals;
      if (!file) throw new CliError('import-tracking needs a label file: cancel-guard import-tracking <file>', 2);
      const format = values.format as string | undefined;
      if (format !== undefined && !(LABEL_FORMATS as readonly string[]).includes(format)) {
        process.stderr.write(`--format must be one of: ${LABEL_FORMATS.join(', ')}\n`);
        return 2;
      }
      // Raw bytes: label software writes Shift_JIS; the parser detects the encoding.
      const bytes = readInputFile(file, 'label file');
      try {
        const report = await withService(({ services }) =>
          services.tracking.importLabelFile({ file: bytes, fileName: basename(file), format: format as LabelFormat | undefined, shopId: values.shop as string | undefined }),
        );
        print(values, report, () => describeTrackingReport(report));
        return report.counts.refused > 0 || report.counts.rejected > 0 || report.counts.held > 0 ? 1 : 0;
      } catch (error) {
        if (!(error instanceof LabelFileRefusedError)) throw error;
        process.stderr.write(`${error.message}\n`);
        return 2;
      }
    },
  },
  'verify-live': {
    summary: 'check what is not confirmed about Qoo10 on this shop\'s own account (reads only, unless a --check-… flag names an order)',
    usage: 'cancel-guard verify-live [--shop <id>] [--json] [--check-accept <orderNo>] [--check-ship-confirm <orderNo> --carrier <name> --tracking <no>]',
    options: {
      shop: { type: 'string', description: 'shop id (needed when several shops are active)' },
      json: { type: 'boolean', description: 'print the report as JSON' },
      'check-accept': { type: 'string', description: 'WRITES: accept this order\'s pending buyer request (really cancels it), then read it back' },
      'check-ship-confirm': { type: 'string', description: 'WRITES: register shipping on this shipped order with a pending request, then read it back' },
      carrier: { type: 'string', description: 'with --check-ship-confirm: the ShippingCorp name as configured in QSM' },
      tracking: { type: 'string', description: 'with --check-ship-confirm: the tracking number' },
    },
    async run(values) {
      const accept = values['check-accept'] as string | undefined;
      const ship = values['check-ship-confirm'] as string | undefined;
      const report = await withService(({ services }) =>
        services.verifyLive.run({
          shopId: values.shop as string | undefined,
          writes: {
            accept: accept === undefined ? undefined : { orderNo: accept },
            shipConfirm: ship === undefined ? undefined : { orderNo: ship, carrier: values.carrier as string | undefined, trackingNo: values.tracking as string | undefined },
          },
          confirm: (preview) => askTypedConfirmation(preview, process.stdin, process.stderr),
        }),
      );
      print(values, report, () => formatVerifyLiveReport(report));
      // A write check that was asked for but not sent is worth a non-zero exit (scripts, CI).
      return report.writes.some((w) => !w.sent) ? 1 : 0;
    },
  },
  tracking: {
    summary: 'tracking rows held for a person (junk carrier or number): list, correct, submit, discard; resend a rejected number',
    usage:
      'cancel-guard tracking [held [--all] | correct <id> [--order <no>] [--carrier <name>] [--number <no>] [--service <name>] | ' +
      'submit <id> | discard <id> | resend <shipment id> [--carrier <name>] [--number <no>]] [--shop <id>] [--json]',
    options: {
      order: { type: 'string', description: 'correct: the order number (or cart number)' },
      carrier: { type: 'string', description: 'correct / resend: the carrier ("ヤマト", "佐川急便", or the name in the shop\'s QSM list)' },
      number: { type: 'string', description: 'correct / resend: the tracking number' },
      service: { type: 'string', description: 'correct: the service ("ネコポス", "ゆうパケット")' },
      all: { type: 'boolean', description: 'held: also list submitted and discarded rows' },
      person: { type: 'string', description: 'who corrects or submits (default: cli)' },
      shop: { type: 'string', description: 'shop id (needed when several shops are active)' },
      json: { type: 'boolean', description: 'print JSON' },
    },
    async run(values, positionals) {
      const [action = 'held', id] = positionals;
      const person = (values.person as string | undefined) ?? 'cli';
      const shopId = values.shop as string | undefined;
      return withService(async ({ services }) => {
        const held = services.heldTracking;
        if (action === 'held') {
          const statuses = values.all ? (['held', 'submitted', 'discarded'] as const) : (['held'] as const);
          const items = (await Promise.all(statuses.map((status) => held.list({ shopId, status, limit: 1000 })))).flat();
          print(values, items, () => items.map(describeHeld).join('\n') || 'no tracking rows are held');
          return 0;
        }
        if (!id) throw new Error(`tracking ${action} needs an id`);
        if (action === 'correct') {
          const row = await held.correct(id, { orderNo: values.order as string | undefined, carrier: values.carrier as string | undefined, trackingNo: values.number as string | undefined, service: values.service as string | undefined }, person);
          print(values, row, () => `${describeHeld(row)}\n${row.reasons.length === 0 || row.reasons.every((r) => r.confirmable) ? `ready: cancel-guard tracking submit ${row.id}` : 'still needs a correction'}`);
          return 0;
        }
        if (action === 'submit') {
          const { held: row, report } = await held.submit(id, person);
          print(values, { held: row, report }, () => `${describeHeld(row)}\n${describeTrackingReport(report)}`);
          return row.status === 'submitted' && report.counts.rejected === 0 ? 0 : 1;
        }
        if (action === 'discard') {
          const row = await held.discard(id, person);
          print(values, row, () => describeHeld(row));
          return 0;
        }
        if (action === 'resend') {
          const report = await held.resendRejected(id, { carrier: values.carrier as string | undefined, trackingNo: values.number as string | undefined }, person);
          print(values, report, () => describeTrackingReport(report));
          return report.counts.submitted > 0 ? 0 : 1;
        }
        throw new Error(`unknown tracking action "${action}" (held, correct, submit, discard, resend)`);
      });
    },
  },
  shops: {
    summary: 'list the shops, or store a shop\'s Qoo10 seller key again (set-key reads it from standard input)',
    usage: 'cancel-guard shops [list | set-key] [--shop <id or name>] [--json]   (set-key: echo "$KEY" | cancel-guard shops set-key --shop <id>)',
    options: {
      shop: { type: 'string', description: 'set-key: the shop (id or name); optional when only one shop exists' },
      json: { type: 'boolean', description: 'print JSON' },
    },
    async run(values, positionals) {
      const [action = 'list', ...rest] = positionals;
      if (action !== 'list' && action !== 'set-key') throw new Error(`unknown shops action "${action}" (list or set-key)`);
      if (action === 'set-key' && rest.length > 0) {
        // A key on the command line ends up in shell history and in every process listing.
        process.stderr.write('set-key reads the key from standard input, never from the command line: echo "$KEY" | cancel-guard shops set-key --shop <id>\n');
        return 2;
      }
      const key = action === 'set-key' ? await readKeyFromStdin() : null;
      if (action === 'set-key' && !key) {
        process.stderr.write('no key on standard input: echo "$KEY" | cancel-guard shops set-key --shop <id>\n');
        return 2;
      }
      return withShops(async (shops) => {
        const all = await shops.listShops();
        if (action === 'list') {
          print(values, all.map((s) => ({ id: s.id, name: s.name, active: s.active, keyStatus: s.keyStatus })), () =>
            all.map((s) => `${s.id}  ${s.name}  key: ${s.keyStatus}${s.active ? '' : '  (inactive)'}`).join('\n') || 'no shops',
          );
          return 0;
        }
        const wanted = values.shop as string | undefined;
        const matches = wanted === undefined ? all : all.filter((s) => s.id === wanted || s.name === wanted);
        if (matches.length !== 1) {
          process.stderr.write(
            `${wanted === undefined ? 'several shops exist: name one with --shop' : `no single shop is "${wanted}"`}\n` +
              all.map((s) => `  ${s.id}  ${s.name}`).join('\n') + '\n',
          );
          return 2;
        }
        const shop = matches[0]!;
        await shops.storeKey(shop.id, key!, new Date());
        print(values, { id: shop.id, name: shop.name, keyStatus: 'unknown' }, () => `the Qoo10 key of "${shop.name}" is stored (encrypted with the current CREDENTIALS_SECRET); the next poll checks it with Qoo10`);
        return 0;
      });
    },
  },
  simulator: {
    summary: 'run the built-in Qoo10 simulator (a scenario file, a generated month, or the demo)',
    usage: 'cancel-guard simulator [--scenario <file> | --generate] [--port <n>] (see --help)',
    options: {},
    rawArgs: true,
    async run(_values, args) {
      return runSimulatorCommand(args, process.stdout);
    },
  },
};

/** One held row for a terminal. */
function describeHeld(row: HeldShipment): string {
  const reasons = row.reasons.map((r) => `    ${r.code} (${r.field})${r.confirmable ? ' [confirm or correct]' : ' [correct]'}: ${r.message}`);
  return [
    `#${row.id}  ${row.status}  ${row.sourceRef}  order ${visibleText(row.orderNo)}  carrier ${visibleText(row.carrier)}  number ${visibleText(row.trackingNo)}`,
    ...reasons,
  ].join('\n');
}

function printHelp(): void {
  const lines = ['Usage: cancel-guard <command> [options]', '', 'Commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(18)}${command.summary}`);
  lines.push('', 'Run "cancel-guard <command> --help" for a command\'s options.', 'Configuration comes from environment variables; see .env.example.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printCommandHelp(command: Command): void {
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  const options = Object.entries(command.options);
  if (options.length > 0) {
    lines.push('', 'Options:');
    for (const [option, spec] of options) {
      lines.push(`  --${option}${spec.type === 'string' ? ' <value>' : ''}`.padEnd(28) + spec.description);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    printHelp();
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n`);
    printHelp();
    return 2;
  }
  if (command.rawArgs) return command.run({}, rest);
  let parsed;
  try {
    const options = Object.fromEntries(Object.entries(command.options).map(([name, spec]) => [name, { type: spec.type }]));
    parsed = parseArgs({
      args: rest,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    printCommandHelp(command);
    return 2;
  }
  if (parsed.values.help) {
    printCommandHelp(command);
    return 0;
  }
  return command.run(parsed.values, parsed.positionals);
}

/** Runs the command line of this process and exits with its code. */
export function main(): void {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof CliError) {
        process.stderr.write(`cancel-guard: ${error.message}\n`);
        process.exit(error.exitCode);
      }
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\nFix these variables (see .env.example) and start again.\n`);
        process.exit(2);
      }
      process.stderr.write(`cancel-guard: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
