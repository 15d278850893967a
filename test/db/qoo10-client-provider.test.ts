// The Qoo10 client provider with the real ShopRepository: a shop's key comes with the shop row the caller
// read, a kept client is used only while the stored key is the one it was made with, and clients that share
// one HTTP instance still each send their own key.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { httpQoo10ClientProvider, type Qoo10ClientProvider } from '../../src/services/qoo10-clients';
import { silentLogger } from '../../src/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { testShopPolicy } from '../helpers/builders';

const DAY = 24 * 3_600_000;
const claimsQuery = { claimStatus: 1, from: new Date(Date.now() - DAY), to: new Date(), condition: 2 } as const;

describe('Qoo10 client provider', () => {
  let db: TestDatabase;
  let shops: ShopRepository;
  let server: Server;
  let baseUrl: string;
  /** The key header of every call the stub server received, in order. */
  const keysSent: string[] = [];
  let provider: Qoo10ClientProvider;
  let serial = 0;

  before(async () => {
    db = await createTestDatabase();
    shops = new ShopRepository(db.dataSource, new CredentialsCipher('p'.repeat(32)), { policy: testShopPolicy() });
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        keysSent.push(String(req.headers.giosiscertificationkey));
        // Answers out of order: a later call's answer may come first.
        setTimeout(() => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end('{"ResultCode":0,"ResultObject":null}');
        }, Math.floor(Math.random() * 20));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/GMKT.INC.Front.QAPIService/ebayjapan.qapi`;
    provider = httpQoo10ClientProvider({ shops, baseUrl: () => baseUrl, timeoutMs: 5_000, minIntervalMs: 0, searchDateFormat: 'date', logger: silentLogger() });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await db.drop();
  });

  async function newShop(key: string): Promise<string> {
    serial += 1;
    return (await shops.ensureShopForKey({ name: `鍵の店 ${serial}`, sellerAuthKey: key, isDemo: false })).id;
  }

  test('findShop reads the same shop as the entity reads (listShops)', async () => {
    const id = await newShop('SAK-provider-same-0001');
    await shops.updatePolicy(id, { packedOrders: 'accept' });
    await db.dataSource.query(`UPDATE shops SET carrier_names = '{"yamato:宅急便":"ヤマト運輸"}', key_expires_at = now() WHERE id = $1`, [id]);
    const listed = (await shops.listShops()).find((shop) => shop.id === id);
    assert.deepEqual(await shops.findShop(id), listed);
    assert.equal(await shops.findShop('00000000-0000-4000-8000-000000000000'), null);
  });

  test('a shop read again gets the same client; once a new key is stored, a new client that sends the new key', async () => {
    const id = await newShop('SAK-provider-old-0001');
    const first = await provider((await shops.findShop(id))!);
    assert.equal(await provider((await shops.findShop(id))!), first, 'the kept client');
    keysSent.length = 0;
    await first.getClaims(claimsQuery);
    assert.deepEqual(keysSent, ['SAK-provider-old-0001']);

    await shops.storeKey(id, 'SAK-provider-new-0001', new Date());
    const second = await provider((await shops.findShop(id))!);
    assert.notEqual(second, first, 'a client made with the old key is not used with the new one');
    keysSent.length = 0;
    await second.getClaims(claimsQuery);
    assert.deepEqual(keysSent, ['SAK-provider-new-0001']);
    assert.equal(await provider((await shops.findShop(id))!), second);
  });

  test('a Shop that did not come from the repository still gets its stored key (read then)', async () => {
    const id = await newShop('SAK-provider-copy-0001');
    const copy = { ...(await shops.findShop(id))! };
    keysSent.length = 0;
    await (await provider(copy)).getClaims(claimsQuery);
    assert.deepEqual(keysSent, ['SAK-provider-copy-0001']);
  });

  test('a shop with no key stored gets no client', async () => {
    const id = await newShop('SAK-provider-gone-0001');
    await db.dataSource.query(`UPDATE shops SET seller_auth_key_enc = NULL, key_fingerprint = NULL WHERE id = $1`, [id]);
    await assert.rejects(provider((await shops.findShop(id))!), /no Qoo10 key stored/);
  });

  test("clients of many shops share one HTTP instance, and every call carries its own shop's key", async () => {
    const keys = Array.from({ length: 8 }, (_, i) => `SAK-provider-many-${String(i).padStart(4, '0')}`);
    const ids = await Promise.all(keys.map((key) => newShop(key)));
    const clients = await Promise.all(ids.map(async (id) => provider((await shops.findShop(id))!)));
    keysSent.length = 0;
    await Promise.all(clients.flatMap((client) => [client.getClaims(claimsQuery), client.getClaims(claimsQuery)]));
    assert.deepEqual([...keysSent].sort(), keys.flatMap((key) => [key, key]).sort());
  });
});
