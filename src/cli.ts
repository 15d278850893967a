#!/usr/bin/env node
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, loadConfigFromProcess, type AppConfig } from './config/config';
import { createLogger } from './logger';
import { openDatabase } from './persistence/database';
import { credentialsSecret, startService, type ServiceHandle } from './main';
import { defaultShopPolicy } from './compose';
import { ShopRepository } from './persistence/shop-repository';
import { CredentialsCipher } from './persistence/credentials-cipher';
import { runSimulatorCommand } from './qoo10/simulator/run-simulator-command';
import { readFileSync } from 'node:fs';
import { formatRateReport, rateReportToJson } from './services/rate-report';
import { basename } from 'node:path';
import { LABEL_FORMATS, type LabelFormat } from './domain/label-csv';
import { LabelFileRefusedError } from './services/tracking-service';
import { describeTrackingReport } from './services/tracking-import';

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

/** The service without HTTP or schedule, for one-shot commands; always stopped afterwards. */
async function withService<T>(run: (service: ServiceHandle) => Promise<T>): Promise<T> {
  const cfg = config();
  // Logs go to stderr at warn and above, so stdout carries only the command's own output (and --json).
  const level = cfg.logLevel === 'info' ? 'warn' : cfg.logLevel;
  const service = await startService(cfg, {
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
    summary: 'run the daemon (polling on POLL_SCHEDULE) and the admin HTTP API and dashboard',
    usage: 'cancel-guard start',
    options: {},
    async run() {
      const service = await startService(config());
      await new Promise<void>((done) => {
        let stopping = false;
        const shutdown = (signal: string) => {
          if (stopping) return;
          stopping = true;
          process.stdout.write(`${signal} received, shutting down\n`);
          service.stop().then(done, done);
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
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
      const database = await openDatabase(cfg, createLogger(cfg.logLevel));
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
      const reports = await withService((service) => service.services.pipeline.runCycle());
      print(values, reports, () =>
        reports.map((r) => `${r.shopId}  ${r.status}  ${Object.entries(r.counts).map(([k, v]) => `${k}=${v}`).join(' ')}${r.error ? `  error: ${r.error}` : ''}`).join('\n') || 'no active shops',
      );
      return reports.some((r) => r.status === 'failed') ? 1 : 0;
    },
  },
  review: {
    summary: 'list the review queue, or approve / override / mark handled one request',
    usage: 'cancel-guard review [list | approve <id> | override <id> --kind accept|refuse|seller-fault --note "..." | handled <id>] [--note "..."] [--json]',
    options: {
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
          print(values, items, () =>
            items.map((item) => `#${item.request.id}  ${item.request.orderNo}  ${item.decision?.code ?? '-'}  suggested: ${item.decision?.suggested ?? '-'}\n    ${item.decision?.reason ?? ''}`).join('\n') || 'the review queue is empty',
          );
          return 0;
        }
        if (!id) throw new Error(`review ${action} needs a request id`);
        if (action === 'approve') print(values, await services.review.approve(id, person, note), () => `request #${id} approved`);
        else if (action === 'handled') {
          await services.review.markHandled(id, person, note);
          print(values, { id, status: 'closed' }, () => `request #${id} marked as handled in QSM`);
        } else if (action === 'override') {
          const kind = values.kind as 'accept' | 'refuse' | 'seller-fault' | undefined;
          if (!kind || !['accept', 'refuse', 'seller-fault'].includes(kind) || !note) throw new Error('override needs --kind accept|refuse|seller-fault and --note');
          print(values, await services.review.override(id, kind, person, note), () => `request #${id} overridden: ${kind}`);
        } else throw new Error(`unknown review action "${action}"`);
        return 0;
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
    summary: 'set stock per seller item code from a CSV (seller_item_code,available)',
    usage: 'cancel-guard import-stock <file.csv> [--shop <id>] [--json]',
    options: {
      shop: { type: 'string', description: 'shop id (needed when several shops are active)' },
      json: { type: 'boolean', description: 'print JSON' },
    },
    async run(values, positionals) {
      const [file] = positionals;
      if (!file) throw new Error('import-stock needs a CSV file');
      const csv = readFileSync(file);
      const result = await withService(({ services }) => services.facts.importStock(values.shop as string | undefined, csv));
      print(values, result, () =>
        [`${result.imported} item(s) updated`, ...result.errors.map((e) => `line ${e.line}: ${e.message}`)].join('\n'),
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
      if (!file) throw new Error('import-tracking needs a label file');
      const format = values.format as string | undefined;
      if (format !== undefined && !(LABEL_FORMATS as readonly string[]).includes(format)) {
        process.stderr.write(`--format must be one of: ${LABEL_FORMATS.join(', ')}\n`);
        return 2;
      }
      // Raw bytes: label software writes Shift_JIS; the parser detects the encoding.
      const bytes = readFileSync(file);
      try {
        const report = await withService(({ services }) =>
          services.tracking.importLabelFile({ file: bytes, fileName: basename(file), format: format as LabelFormat | undefined, shopId: values.shop as string | undefined }),
        );
        print(values, report, () => describeTrackingReport(report));
        return report.counts.refused > 0 || report.counts.rejected > 0 ? 1 : 0;
      } catch (error) {
        if (!(error instanceof LabelFileRefusedError)) throw error;
        process.stderr.write(`${error.message}\n`);
        return 2;
      }
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

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\nFix these variables (see .env.example) and start again.\n`);
        process.exit(2);
      }
      process.stderr.write(`cancel-guard: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
