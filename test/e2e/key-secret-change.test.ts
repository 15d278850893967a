// Issue 13, defect 9: changing CREDENTIALS_SECRET made every poll fail with "cannot be decrypted" while
// the key status stayed 'ok'. Now start-up finds it (status, alert, one clear log line) and the key is
// stored again with `cancel-guard shops set-key`, which reads it from standard input, never argv.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logger';
import { startService } from '../../src/main';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { PROJECT_ROOT } from '../../src/config/paths';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');
const OLD_SECRET = 'the-old-credentials-secret-0123456789abc';
const NEW_SECRET = 'the-new-credentials-secret-0123456789xyz';
const KEY = 'seller-key-secret-change-0001';

function runCli(args: string[], env: Record<string, string>, stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('a changed CREDENTIALS_SECRET', () => {
  let db: TestDatabase;
  let shopId: string;
  const repo = (secret: string) => new ShopRepository(db.dataSource, new CredentialsCipher(secret), { policy: {} as never });
  const env = (secret: string) => ({ DATABASE_URL: db.url, CREDENTIALS_SECRET: secret, ADMIN_TOKEN: 'key-change-admin-token-0123456789' });

  before(async () => {
    db = await createTestDatabase();
    shopId = (await repo(OLD_SECRET).ensureShopForKey({ name: '鍵の店', sellerAuthKey: KEY, isDemo: false })).id;
    await repo(OLD_SECRET).recordKeyStatus(shopId, 'ok');
  });
  after(async () => {
    await db.drop();
  });

  test('start-up marks the key undecryptable, raises an alert and says how to fix it', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => { lines.push(String(chunk)); done(); } }));
    const announced: string[] = [];
    const service = await startService(loadConfig(env(NEW_SECRET)), { logger, listen: false, schedule: false, announce: (line) => announced.push(line) });
    await service.stop();
    const [shop] = await db.dataSource.query('SELECT key_status FROM shops WHERE id = $1', [shopId]);
    assert.equal(shop.key_status, 'undecryptable');
    const alerts = await db.dataSource.query("SELECT body FROM alerts WHERE shop_id = $1 AND kind = 'key_undecryptable'", [shopId]);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0].body, /shops set-key/);
    assert.ok(lines.some((line) => line.includes('CREDENTIALS_SECRET changed') && line.includes(`shops set-key --shop ${shopId}`)), lines.join(''));
    assert.ok(announced.some((line) => line.includes('cannot be decrypted')));
  });

  test('set-key refuses a key given on the command line', async () => {
    const result = await runCli(['shops', 'set-key', '--shop', shopId, KEY], env(NEW_SECRET), '');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /standard input/);
    assert.doesNotMatch(result.stderr + result.stdout, new RegExp(KEY));
    assert.equal(await repo(NEW_SECRET).checkStoredKey(shopId), 'undecryptable', 'nothing was stored');
  });

  test('set-key stores the key read from standard input under the current secret', async () => {
    const result = await runCli(['shops', 'set-key', '--shop', shopId], env(NEW_SECRET), `${KEY}\n`);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr + result.stdout, new RegExp(KEY));
    assert.equal(await repo(NEW_SECRET).sellerAuthKey(shopId), KEY);
    const [shop] = await db.dataSource.query('SELECT key_status FROM shops WHERE id = $1', [shopId]);
    assert.equal(shop.key_status, 'unknown', 'the next poll checks it with Qoo10');
  });

  test('when QOO10_SELLER_AUTH_KEY is the stored key, start-up stores it again by itself', async () => {
    // The secret changes once more; the key is configured.
    const service = await startService(loadConfig({ ...env(OLD_SECRET), QOO10_SELLER_AUTH_KEY: KEY }), { logger: createLogger('silent'), listen: false, schedule: false, announce: () => undefined });
    await service.stop();
    assert.equal(await repo(OLD_SECRET).sellerAuthKey(shopId), KEY);
  });
});
