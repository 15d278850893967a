import type { DataSource, Repository } from 'typeorm';
import type { DecisionKind, Shop, ShopPolicy } from '../domain/types';
import { CredentialDecryptError, CredentialsCipher, keyFingerprint } from './credentials-cipher';
import { ShopEntity } from './entities';

export interface ShopDefaults {
  policy: ShopPolicy;
}

function toShop(entity: ShopEntity, defaults: ShopDefaults): Shop {
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

export class ShopRepository {
  private readonly shops: Repository<ShopEntity>;

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
    if (existing) return toShop(existing, this.defaults);
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
    return toShop(created, this.defaults);
  }

  async listActiveShops(): Promise<Shop[]> {
    const rows = await this.shops.find({ where: { active: true }, order: { createdAt: 'ASC' } });
    return rows.map((row) => toShop(row, this.defaults));
  }

  /** The active shops' ids only (every tick of every process reads them: 20,000 whole shops took 1 s). */
  async listActiveShopIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.shops.query(`SELECT id FROM shops WHERE active ORDER BY created_at`);
    return rows.map((row) => String(row.id));
  }

  async listShops(): Promise<Shop[]> {
    const rows = await this.shops.find({ order: { createdAt: 'ASC' } });
    return rows.map((row) => toShop(row, this.defaults));
  }

  async findShop(id: string): Promise<Shop | null> {
    const row = await this.shops.findOneBy({ id });
    return row ? toShop(row, this.defaults) : null;
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
    if (!row.sellerAuthKeyEnc) throw new Error(`shop ${shopId} has no Qoo10 key stored`);
    return this.cipher.decrypt(row.sellerAuthKeyEnc);
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
