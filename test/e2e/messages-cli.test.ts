// `cancel-guard messages show <requestId>` prints the QSM-ready text on stdout (the state on stderr),
// and `messages sent <requestId>` records the QSM send: the real CLI process on a real database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { aCase, ACCEPT, aShop, messageWorld, type MessageWorld } from '../db/buyer-message-fixtures';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');

function runCli(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('cancel-guard messages', () => {
  let db: TestDatabase;
  let world: MessageWorld;
  let requestId: string;
  before(async () => {
    db = await createTestDatabase();
    world = messageWorld(db.dataSource);
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    requestId = (await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: new Date(Date.now() - 60_000), order: { buyerName: '山田太郎' } })).requestId;
    await world.service.draftPending(new Date());
  });
  after(async () => {
    await db.drop();
  });

  test('show prints exactly the QSM text on stdout and the state on stderr', async () => {
    const { draft } = await world.service.draftOfRequest(requestId);
    const result = await runCli(['messages', 'show', requestId], db.url);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${draft.subject}\n\n${draft.body}\n`);
    assert.match(result.stderr, new RegExp(`request #${requestId}.*not sent in QSM yet`, 's'));
  });

  test('sent records the QSM send; an unknown request fails with a clear message', async () => {
    const sent = await runCli(['messages', 'sent', requestId, '--person', '佐藤', '--json'], db.url);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(JSON.parse(sent.stdout).qsm.sentBy, '佐藤');
    const { draft } = await world.service.draftOfRequest(requestId);
    assert.equal(draft.qsmSent?.by, '佐藤');
    const missing = await runCli(['messages', 'show', '987654'], db.url);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /987654/);
    const bad = await runCli(['messages', 'show', 'abc'], db.url);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /needs a cancel request id/);
  });
});
