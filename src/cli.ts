#!/usr/bin/env node
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type AppConfig } from './config/config';
import { createLogger } from './logger';
import { openDatabase } from './persistence/database';
import { startService } from './main';

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

function config(): AppConfig {
  return loadConfig(process.env);
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
};

function printHelp(): void {
  const lines = ['Usage: cancel-guard <command> [options]', '', 'Commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(18)}${command.summary}`);
  lines.push('', 'Run "cancel-guard <command> --help" for a command\'s options.', 'Configuration comes from environment variables; see .env.example.');
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printCommandHelp(name: string, command: Command): void {
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  const options = Object.entries(command.options);
  if (options.length > 0) {
    lines.push('', 'Options:');
    for (const [option, spec] of options) {
      const description = (spec as { description?: string }).description ?? '';
      lines.push(`  --${option}${spec.type === 'string' ? ' <value>' : ''}`.padEnd(28) + description);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  void name;
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
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    printCommandHelp(name, command);
    return 2;
  }
  if (parsed.values.help) {
    printCommandHelp(name, command);
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
