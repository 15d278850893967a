import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { testShopPolicy } from '../helpers/builders';

describe('ShopRepository', () => {
  let db: TestDatabase;
  let shops: ShopRepository;
  before(async () => {
    db = await createTestDatabase();
    shops = new ShopRepository(db.dataSource, new CredentialsCipher('x'.repeat(32)), { policy: testShopPolicy() });
  });
  after(async () => {
    await db.drop();
  });

  test('stores the seller key encrypted and gives it back decrypted', async () => {
    const shop = await shops.ensureShopForKey({ name: 'Tokyo Select', sellerAuthKey: 'SAK-very-secret-123', isDemo: false });
    const [row] = await db.dataSource.query('SELECT * FROM shops WHERE id = $1', [shop.id]);
    assert.doesNotMatch(JSON.stringify(row), /very-secret/);
    assert.equal(await shops.sellerAuthKey(shop.id), 'SAK-very-secret-123');
  });

  test('the same key twice is one shop', async () => {
    const a = await shops.ensureShopForKey({ name: 'A', sellerAuthKey: 'SAK-same-key-0001', isDemo: false });
    const b = await shops.ensureShopForKey({ name: 'B', sellerAuthKey: 'SAK-same-key-0001', isDemo: false });
    assert.equal(a.id, b.id);
  });

  test('a shop policy override wins over the defaults, the rest stays default', async () => {
    const shop = await shops.ensureShopForKey({ name: 'P', sellerAuthKey: 'SAK-policy-0001', isDemo: false });
    await shops.updatePolicy(shop.id, { packedOrders: 'accept' });
    const found = await shops.findShop(shop.id);
    assert.equal(found?.policy.packedOrders, 'accept');
    assert.equal(found?.policy.sameDayCutoffJst, testShopPolicy().sameDayCutoffJst);
  });

  test('a demo shop does not count as a live shop', async () => {
    const fresh = await createTestDatabase();
    try {
      const repo = new ShopRepository(fresh.dataSource, new CredentialsCipher('y'.repeat(32)), { policy: testShopPolicy() });
      await repo.ensureShopForKey({ name: 'Demo', sellerAuthKey: 'demo-key-0001', isDemo: true });
      assert.equal(await repo.hasLiveShop(), false);
      await repo.ensureShopForKey({ name: 'Live', sellerAuthKey: 'live-key-0001', isDemo: false });
      assert.equal(await repo.hasLiveShop(), true);
    } finally {
      await fresh.drop();
    }
  });
});
