// Runs every compiled test file under dist/test with node's own test runner.
// Node 20 cannot expand globs in `--test`, so the files are listed here. When TEST_DATABASE_URL is
// unset, one embedded PostgreSQL is started for the whole run (each test file then creates its own
// fresh database on it) and stopped at the end. Its data folder is private to this run, so two runs
// on one machine never stop each other's server.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const filter = process.argv.slice(2);
const files = findTests('dist/test')
  .filter((f) => filter.length === 0 || filter.some((part) => f.includes(part)))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}

let embedded = null;
let embeddedDir = null;
const env = { ...process.env };
if (!env.TEST_DATABASE_URL) {
  const { startEmbeddedPostgres } = await import('../dist/src/persistence/embedded-postgres.js');
  const { createLogger } = await import('../dist/src/logger.js');
  embeddedDir = `.data/test-pg-${process.pid}`;
  embedded = await startEmbeddedPostgres({
    dataDir: embeddedDir,
    port: await freePort(),
    logger: createLogger('warn'),
  });
  env.TEST_DATABASE_URL = embedded.adminUrl;
}

const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--enable-source-maps', ...files], {
  stdio: 'inherit',
  env,
});
const code = await new Promise((resolve) => child.on('exit', (status) => resolve(status ?? 1)));
if (embedded) {
  await embedded.stop();
  rmSync(embeddedDir, { recursive: true, force: true });
}
process.exit(code);
