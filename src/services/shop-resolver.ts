import type { Shop } from '../domain/types';
import { NotFoundError, ValidationFailedError } from '../errors';
import type { ShopRepository } from '../persistence/shop-repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The shop a request or command is about: the one named, or the only active shop when none is
 * named (the common single-shop case). An agency with several shops must name one; the 400 lists
 * them so the caller can choose.
 */
export async function resolveShop(shops: ShopRepository, shopId?: string | null): Promise<Shop> {
  if (shopId !== undefined && shopId !== null) {
    if (!UUID.test(shopId)) {
      throw new ValidationFailedError('shopId must be a shop id (UUID)', [{ field: 'shopId', message: 'shopId must be a uuid' }]);
    }
    const shop = await shops.findShop(shopId);
    if (!shop) throw new NotFoundError(`The shop ${shopId}`);
    return shop;
  }
  const active = await shops.listActiveShops();
  if (active.length === 1) return active[0]!;
  if (active.length === 0) throw new NotFoundError('An active shop');
  throw new ValidationFailedError(`shopId is required: ${active.length} shops are active`, [
    { field: 'shopId', message: 'shopId is required when several shops are active', shops: active.map((s) => ({ id: s.id, name: s.name })) },
  ]);
}
