// `cancel-guard simulator`: serves a scenario (a file, a generated one, or the demo) until SIGINT/SIGTERM
// or until the caller's signal aborts. Prints the base URL and each shop's key (simulator keys only).
import { readFile, writeFile } from 'node:fs/promises';
import type { Logger } from '../../logger';
import { demoScenario } from './demo-scenario';
import { FaultInjector, type SimulatorFaults } from './faults';
import { generateScenario } from './generate-scenario';
import { validateScenario, ScenarioValidationError, type Scenario } from './scenario';
import { startSimulator, type SimulatorHandle } from './start-simulator';

export interface CommandOutput {
  write(text: string): unknown;
}

export interface RunSimulatorOptions {
  /** Stops the simulator when aborted (tests); SIGINT and SIGTERM always stop it. */
  signal?: AbortSignal;
  /** Called once the simulator listens. */
  onListening?: (sim: SimulatorHandle) => void;
  logger?: Logger;
  now?: () => Date;
}

export const SIMULATOR_USAGE = `Usage: cancel-guard simulator [options]

Runs a Qoo10 QAPI simulator on 127.0.0.1 until Ctrl+C.

Options:
  --scenario <file>       serve this scenario (JSON, see src/qoo10/simulator/scenario.ts)
  --generate              serve a generated month of orders instead
    --seed <n>            generator seed (default 1)
    --orders-per-month <n>  volume of a full month (default 3000)
    --shops <n>           number of shops (default 1)
    --out <file>          also write the generated scenario to this file
  --faults <file>         start with these faults (JSON SimulatorFaults, src/qoo10/simulator/faults.ts),
                          e.g. {"lostAnswers":[{"kind":"drop","rate":0.1}]}; change them later at /__sim/faults
  --port <n>              port (default 8787; 0 = any free port)
  --host <address>        address to listen on (default 127.0.0.1)
  --help                  show this text
Without --scenario or --generate the demo scenario is served.
Admin: GET <origin>/__sim/shops, POST /__sim/cancel-requests {"orderNo"}, /__sim/shipments, /__sim/clock, /__sim/faults, /__sim/behaviour {"shop", "shipConfirmEndsRequest", … (see qoo10-behaviour.ts)}, /__sim/qsm-refusals {"orderNo"}.
`;

interface ParsedArgs {
  help: boolean;
  scenario?: string;
  generate: boolean;
  seed: string;
  ordersPerMonth: number;
  shops: number;
  out?: string;
  faults?: string;
  port: number;
  host: string;
}

const VALUE_FLAGS = new Set(['--scenario', '--seed', '--orders-per-month', '--shops', '--out', '--faults', '--port', '--host']);

function parseArgs(argv: string[]): ParsedArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (VALUE_FLAGS.has(arg)) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
      values.set(arg, value);
      i += 1;
    } else if (arg === '--generate' || arg === '--help' || arg === '-h') {
      flags.add(arg === '-h' ? '--help' : arg);
    } else {
      throw new Error(`unknown option ${arg}`);
    }
  }
  const int = (flag: string, fallback: number, min: number): number => {
    const text = values.get(flag);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}`);
    return n;
  };
  if (values.has('--scenario') && flags.has('--generate')) throw new Error('give --scenario or --generate, not both');
  return {
    help: flags.has('--help'),
    scenario: values.get('--scenario'),
    generate: flags.has('--generate'),
    seed: values.get('--seed') ?? '1',
    ordersPerMonth: int('--orders-per-month', 3000, 0),
    shops: int('--shops', 1, 1),
    out: values.get('--out'),
    faults: values.get('--faults'),
    port: int('--port', 8787, 0),
    host: values.get('--host') ?? '127.0.0.1',
  };
}

async function loadScenario(args: ParsedArgs, now: Date): Promise<Scenario> {
  if (args.scenario) {
    const text = await readFile(args.scenario, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ScenarioValidationError([`${args.scenario}: not valid JSON`]);
    }
    return validateScenario(json);
  }
  if (args.generate) {
    const seed = /^\d+$/.test(args.seed) ? Number(args.seed) : args.seed;
    return generateScenario({ seed, now, shops: args.shops, ordersPerMonth: args.ordersPerMonth });
  }
  return demoScenario(now);
}

class FaultsFileError extends Error {}

/** A faults file, checked as /__sim/faults checks a body. */
async function loadFaults(file: string): Promise<SimulatorFaults> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    throw new FaultsFileError(`${file}: not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new FaultsFileError(`${file}: must be a JSON object of faults`);
  try {
    new FaultInjector(json as SimulatorFaults);
  } catch (error) {
    throw new FaultsFileError(`${file}: ${(error as Error).message}`);
  }
  return json as SimulatorFaults;
}

/** Returns the exit code: 0 after a clean stop, 2 for bad arguments or an invalid scenario. */
export async function runSimulatorCommand(argv: string[], out: CommandOutput, options: RunSimulatorOptions = {}): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    out.write(`${(error as Error).message}\n\n${SIMULATOR_USAGE}`);
    return 2;
  }
  if (args.help) {
    out.write(SIMULATOR_USAGE);
    return 0;
  }
  const now = options.now ?? (() => new Date());
  let scenario: Scenario;
  let faults: SimulatorFaults | undefined;
  try {
    scenario = await loadScenario(args, now());
    faults = args.faults === undefined ? undefined : await loadFaults(args.faults);
  } catch (error) {
    if (error instanceof ScenarioValidationError || error instanceof FaultsFileError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      out.write(`${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
  if (args.out) await writeFile(args.out, `${JSON.stringify(scenario, null, 2)}\n`, 'utf8');

  const sim = await startSimulator({ port: args.port, host: args.host, scenario, faults, now, logger: options.logger });
  out.write(`Qoo10 simulator listening\nbase URL: ${sim.url}\nadmin:    ${sim.origin}/__sim/shops\nshops:\n`);
  for (const shop of scenario.shops) {
    const open = shop.claims.filter((c) => c.claimStatus === 1).length;
    out.write(`  ${shop.name}\n    sellerAuthKey: ${shop.sellerAuthKey}\n    orders: ${shop.orders.length}, open cancel requests: ${open}\n`);
  }
  out.write('Press Ctrl+C to stop.\n');
  options.onListening?.(sim);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop);
  });
  await sim.close();
  out.write('Qoo10 simulator stopped.\n');
  return 0;
}
