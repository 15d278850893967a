import type { DataSource, Repository } from 'typeorm';
import type { DecisionKind, Shop, ShopPolicy } from '../domain/types';
import { CredentialDecryptError, CredentialsCipher, keyFingerprint } from './credentials-cipher';
import { ShopEntity } from './entities';

export interface ShopDefaults {
  policy: ShopPolicy;
}

function toShop(entity: Omit<ShopRow, 'sellerAuthKeyEnc'>, defaults: ShopDefaults): Shop {
  const stored = entity.policy as Partial<ShopPolicy>;
  return {
    id: entity.id,
    name: entity.name,
    isDemo: entity.isDemo,
    active: entity.active,
    keyStatus: entity.keyStatus,
    keyExpiresAt: entity.keyExpiresAt,
    // Settings a shop has not chosen fall back to the service-wide defaults from configuration.
    policy: { ...defaults.policy, ...stored, autoDecisions: (stored.autoDecisions ?? defaults.policy.autoDecisions) as DecisionKind[] },
    carrierNames: entity.carrierNames ?? {},
  };
}

/** The columns a Shop is made of, and its stored (encrypted) key: findShop reads them in one plain statement. */
const SHOP_COLUMNS = `id, name, is_demo AS "isDemo", active, key_status AS "keyStatus", key_expires_at AS "keyExpiresAt", policy,
  carrier_names AS "carrierNames", seller_auth_key_enc AS "sellerAuthKeyEnc"`;

type ShopRow = Pick<ShopEntity, 'id' | 'name' | 'isDemo' | 'active' | 'keyStatus' | 'keyExpiresAt' | 'policy' | 'carrierNames' | 'sellerAuthKeyEnc'>;

export class ShopRepository {
  private readonly shops: Repository<ShopEntity>;
  /**
   * The stored (encrypted) key each Shop this repository handed out was read with. The Shop itself never
   * carries the key; the Qoo10 client provider asks here (storedKeyOf), so a poll reads the shop row once,
   * not once more for its key, and a client made with an older key is not used once the row shows a new one.
   */
  private readonly storedKeys = new WeakMap<Shop, string | null>();

  constructor(
    dataSource: DataSource,
    private readonly cipher: CredentialsCipher,
    private readonly defaults: ShopDefaults,
  ) {
    this.shops = dataSource.getRepository(ShopEntity);
  }

  /**
   * Makes sure a shop exists for this key (matched by fingerprint, so the key is never compared in
   * clear) and returns it. Used for the key given in configuration and for the demo shop.
   */
  async ensureShopForKey(input: { name: string; sellerAuthKey: string; isDemo: boolean }): Promise<Shop> {
    const fingerprint = keyFingerprint(input.sellerAuthKey);
    const existing = await this.shops.findOneBy({ keyFingerprint: fingerprint });
    if (existing) return this.shop(existing);
    await this.shops
      .createQueryBuilder()
      .insert()
      .values({
        name: input.name,
        sellerAuthKeyEnc: this.cipher.encrypt(input.sellerAuthKey),
        keyFingerprint: fingerprint,
        keyObtainedAt: new Date(),
        isDemo: input.isDemo,
      })
      .orIgnore()
      .execute();
    const created = await this.shops.findOneByOrFail({ keyFingerprint: fingerprint });
    return this.shop(created);
  }

  async listActiveShops(): Promise<Shop[]> {
    const rows = await this.shops.find({ where: { active: true }, order: { createdAt: 'ASC' } });
    return rows.map((row) => this.shop(row));
  }

  /** The active shops' ids only (every tick of every process reads them: 20,000 whole shops took 1 s). */
  async listActiveShopIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.shops.query(`SELECT id FROM shops WHERE active ORDER BY created_at`);
    return rows.map((row) => String(row.id));
  }

  async listShops(): Promise<Shop[]> {
    const rows = await this.shops.find({ order: { createdAt: 'ASC' } });
    return rows.map((row) => this.shop(row));
  }

  /** A plain statement (every job of every shop starts here), with the stored key for storedKeyOf. */
  async findShop(id: string): Promise<Shop | null> {
    const rows: ShopRow[] = await this.shops.query(`SELECT ${SHOP_COLUMNS} FROM shops WHERE id = $1`, [id]);
    return rows[0] ? this.shop(rows[0]) : null;
  }

  /**
   * The stored (encrypted) key the shop row held when this Shop was read; read now when the Shop did not
   * come from this repository. Null when no key is stored. Decrypt it with decryptStoredKey.
   */
  async storedKeyOf(shop: Shop): Promise<string | null> {
    const known = this.storedKeys.get(shop);
    if (known !== undefined) return known;
    const rows: Array<{ stored: string | null }> = await this.shops.query(`SELECT seller_auth_key_enc AS stored FROM shops WHERE id = $1`, [shop.id]);
    if (!rows[0]) throw new Error(`shop ${shop.id} not found`);
    return rows[0].stored;
  }

  /** The clear key of a stored key (storedKeyOf); throws when none is stored or it cannot be decrypted. */
  decryptStoredKey(shopId: string, stored: string | null): string {
    if (!stored) throw new Error(`shop ${shopId} has no Qoo10 key stored`);
    return this.cipher.decrypt(stored);
  }

  /** True when a live (non-demo) shop with a key is stored: then the service does not run in demo mode. */
  async hasLiveShop(): Promise<boolean> {
    const count = await this.shops
      .createQueryBuilder('shop')
      .where('shop.is_demo = false AND shop.seller_auth_key_enc IS NOT NULL AND shop.active = true')
      .getCount();
    return count > 0;
  }

  async sellerAuthKey(shopId: string): Promise<string> {
    const row = await this.shops.findOneByOrFail({ id: shopId });
    return this.decryptStoredKey(shopId, row.sellerAuthKeyEnc);
  }

  /**
   * Whether the stored key can be decrypted with the current secret: 'missing' when none is stored,
   * 'undecryptable' when CREDENTIALS_SECRET changed since it was stored. The key itself is not returned.
   */
  async checkStoredKey(shopId: string): Promise<'ok' | 'missing' | 'undecryptable'> {
    const row = await this.shops.findOneByOrFail({ id: shopId });
    if (!row.sellerAuthKeyEnc) return 'missing';
    try {
      this.cipher.decrypt(row.sellerAuthKeyEnc);
      return 'ok';
    } catch (error) {
      if (error instanceof CredentialDecryptError) return 'undecryptable';
      throw error;
    }
  }

  /** Whether this key is the one stored for the shop (compared by fingerprint, never in clear). */
  async isStoredKey(shopId: string, sellerAuthKey: string): Promise<boolean> {
    const row = await this.shops.findOneByOrFail({ id: shopId });
    return row.keyFingerprint === keyFingerprint(sellerAuthKey);
  }

  /**
   * Stores a (new or the same) seller key for the shop, encrypted with the current secret. Its status
   * becomes 'unknown' until the next poll shows whether Qoo10 accepts it. Another shop holding the same
   * key is refused (the fingerprint is unique).
   */
  async storeKey(shopId: string, sellerAuthKey: string, now: Date): Promise<void> {
    const fingerprint = keyFingerprint(sellerAuthKey);
    const other = await this.shops.findOneBy({ keyFingerprint: fingerprint });
    if (other && other.id !== shopId) throw new Error(`this key is already stored for another shop (${other.name}, ${other.id})`);
    const same = other?.id === shopId;
    await this.shops.update(
      { id: shopId },
      {
        sellerAuthKeyEnc: this.cipher.encrypt(sellerAuthKey),
        keyFingerprint: fingerprint,
        keyStatus: 'unknown',
        // The same key re-stored keeps its age (the expiry estimate counts from when it was obtained).
        ...(same ? {} : { keyObtainedAt: now, keyExpiresAt: null }),
        updatedAt: now,
      },
    );
  }

  private shop(row: ShopRow): Shop {
    const shop = toShop(row, this.defaults);
    this.storedKeys.set(shop, row.sellerAuthKeyEnc);
    return shop;
  }

  async recordKeyStatus(shopId: string, status: Shop['keyStatus']): Promise<void> {
    await this.shops.update({ id: shopId }, { keyStatus: status, updatedAt: new Date() });
  }

  async updatePolicy(shopId: string, policy: Partial<ShopPolicy>): Promise<void> {
    await this.shops
      .createQueryBuilder()
      .update()
      .set({ policy: () => `policy || :patch::jsonb`, updatedAt: new Date() })
      .setParameter('patch', JSON.stringify(policy))
      .where('id = :id', { id: shopId })
      .execute();
  }
}
