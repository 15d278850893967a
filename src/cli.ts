#!/usr/bin/env node
// The command line's entry. `start` and `worker` run with the heap flags (heap-flags.ts, ADR 0024): when
// they are missing, this process only starts the same command line again with them and passes signals
// on, so it loads nothing else. Every other command runs here.
import { relaunchWithHeapFlags } from './config/heap-flags';

if (require.main === module && !relaunchWithHeapFlags(process.argv.slice(2))) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./cli-commands') as typeof import('./cli-commands')).main();
}
