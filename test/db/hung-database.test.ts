// Issue 13, defect 7: a hung database hung /readyz and the API. The pool now carries statement, lock
// and connection timeouts, and /readyz answers 503 promptly when the database does not answer, then
// recovers by itself. The database "hangs" behind a TCP proxy that stops passing bytes (no error, no
// close: what a stalled server or a dead network path looks like).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { createDataSource } from '../../src/persistence/data-source';
import { loadConfig } from '../../src/config/config';
import { compose, type Services } from '../../src/compose';
import { silentLogger } from '../../src/logger';

interface FreezableProxy {
  url: string;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

/** A TCP proxy to the database whose traffic can be held (frozen) and released (thawed). */
async function freezableProxy(target: string): Promise<FreezableProxy> {
  const parsed = new URL(target);
  let frozen = false;
  const held: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk) => {
      if (frozen) held.push(() => to.write(chunk));
      else to.write(chunk);
    });
  const server: Server = createServer((client) => {
    const upstream = connect(Number(parsed.port || 5432), parsed.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(typeof address === 'object' && address ? address.port : 0);
  return {
    url: url.toString(),
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const write of held.splice(0)) write();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

describe('a hung database', () => {
  let db: TestDatabase;
  let proxy: FreezableProxy;
  let dataSource: DataSource;
  let services: Services;

  before(async () => {
    db = await createTestDatabase();
    proxy = await freezableProxy(db.url);
    const config = loadConfig({ ADMIN_TOKEN: 'hung-db-admin-token-0123456789', DATABASE_URL: proxy.url, LOG_LEVEL: 'silent' });
    dataSource = createDataSource(proxy.url, { poolSize: 3, timeouts: config.databaseTimeouts });
    await dataSource.initialize();
    services = compose({
      config,
      logger: silentLogger(),
      dataSource,
      credentialsSecret: 'hung-db-secret-'.padEnd(40, 'x'),
      adminToken: 'hung-db-admin-token-0123456789',
      qoo10BaseUrl: () => config.qoo10.baseUrl,
    });
  });
  after(async () => {
    proxy.thaw();
    await dataSource.destroy().catch(() => undefined);
    await proxy.close();
    await db.drop();
  });

  test('every pooled connection carries the statement and lock timeouts from configuration', async () => {
    const [{ statement_timeout: statement }] = await dataSource.query('SHOW statement_timeout');
    const [{ lock_timeout: lock }] = await dataSource.query('SHOW lock_timeout');
    assert.deepEqual({ statement, lock }, { statement: '30s', lock: '15s' });
  });

  test('a statement over the timeout is cancelled by the server, not left running', async () => {
    await assert.rejects(
      dataSource.transaction(async (em) => {
        await em.query("SET LOCAL statement_timeout = '200ms'");
        await em.query('SELECT pg_sleep(5)');
      }),
      /statement timeout/,
    );
  });

  test('/readyz answers 503 while the database does not answer, and 200 again once it does', async () => {
    assert.equal((await request(services.app).get('/readyz')).status, 200, 'ready before the database hangs');
    proxy.freeze();
    // The generous client timeout only catches a hang (today's behaviour); the answer comes in ~1.5 s.
    const hung = await request(services.app).get('/readyz').timeout(15_000);
    assert.equal(hung.status, 503);
    assert.equal(hung.body.database, 'unreachable');

    proxy.thaw();
    let status = 0;
    for (let attempt = 0; attempt < 40 && status !== 200; attempt += 1) {
      status = (await request(services.app).get('/readyz').timeout(15_000)).status;
      if (status !== 200) await new Promise((done) => setTimeout(done, 250));
    }
    assert.equal(status, 200, 'ready again without a restart');
  });
});
