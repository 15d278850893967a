// The CLI as a seller meets it: shops named in `poll --once`, the review queue in Japanese with what
// to run next, stock files refused or reported by line (non-zero exit), and one-line messages naming
// what to fix for a missing file or an unreachable DATABASE_URL (no raw ENOENT / ECONNREFUSED).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { TEST_ADMIN_TOKEN } from '../helpers/test-app';
import { createPipelineFixture, type PipelineFixture } from '../helpers/pipeline-fixture';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('CLI messages', () => {
  let f: PipelineFixture;
  let env: Record<string, string>;
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  before(async () => {
    f = await createPipelineFixture();
    dir = mkdtempSync(join(tmpdir(), 'cg-cli-'));
    env = {
      DATABASE_URL: f.t.db.url,
      QOO10_API_BASE_URL: f.sim.url,
      CREDENTIALS_SECRET: 'test-secret-'.padEnd(40, 'x'),
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      QOO10_MIN_INTERVAL_MS: '0',
      DATA_DIR: dir,
    };
    f.sim.state.requestCancel(f.confirmedOrder({ sellerItemCode: 'NO-STOCK-RECORD' }));
    await f.t.services.facts.importStock(undefined, Buffer.from('seller_item_code,available\nKNOWN,3\n'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await f?.close();
  });

  test('poll --once names each shop', async () => {
    const res = await cli(['poll', '--once'], env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`^テスト雑貨店 \\[${f.shop.id}\\]  ok  `, 'm'));
  });

  test('review list is in Japanese, with the full reason and the command to run', async () => {
    const id = String((await f.t.db.dataSource.query(`SELECT id FROM cancel_requests WHERE status = 'review'`))[0].id);
    const res = await cli(['review', 'list'], env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`^#${id}  注文番号 \\d+`, 'm'));
    assert.match(res.stdout, /判定理由: 在庫データがありません — 在庫の記録がないため/);
    assert.match(res.stdout, new RegExp(`提案: 提案なし  →  cancel-guard review override ${id} --kind`));
    const english = await cli(['review', 'list', '--lang', 'en'], env);
    assert.match(english.stdout, /Why: stock_unknown — /);
  });

  test('import-stock: a wrong header and an empty file are refused (exit 2), an unknown code is a line error (exit 1)', async () => {
    const header = await cli(['import-stock', file('header.csv', 'code,qty\nKNOWN,1\n')], env);
    assert.equal(header.code, 2);
    assert.match(header.stderr, /^cancel-guard: header\.csv: Line 1 is not the stock header/);
    const empty = await cli(['import-stock', file('empty.csv', '')], env);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /empty\.csv: .*(no rows|empty)/i);
    const unknown = await cli(['import-stock', file('unknown.csv', 'seller_item_code,available\nKNOWN,7\nKNOWM,2\n')], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /^1 item\(s\) updated$/m);
    assert.match(unknown.stdout, /unknown\.csv line 3: seller_item_code "KNOWM" is unknown to this shop/);
    assert.equal((await f.t.services.facts.listItems(undefined)).find((i) => i.sellerItemCode === 'KNOWN')?.available, 7);
  });

  test('a missing file is one line naming the path', async () => {
    const res = await cli(['import-stock', join(dir, 'nope.csv')], env);
    assert.equal(res.code, 2);
    assert.equal(res.stderr, `cancel-guard: stock file not found: ${join(dir, 'nope.csv')} (check the path)\n`);
    assert.doesNotMatch(res.stderr, /ENOENT/);
  });

  test('an unreachable DATABASE_URL is one line naming DATABASE_URL, without the password', async () => {
    const res = await cli(['review', 'list'], { ...env, DATABASE_URL: 'postgres://someone:hunter2-secret@127.0.0.1:1/nothing' });
    assert.equal(res.code, 2);
    const lines = res.stderr.trim().split('\n');
    assert.equal(lines.length, 1, res.stderr);
    assert.match(lines[0]!, /DATABASE_URL: the database server refused the connection/);
    assert.doesNotMatch(res.stderr, /ECONNREFUSED|hunter2/);
  });
});
