import type { Shop } from '../domain/types';
import { NotFoundError, ValidationFailedError } from '../errors';
import type { ShopRepository } from '../persistence/shop-repository';

/**
 * The shop a request or command is about: the one named, or the only active shop when none is
 * named (the common single-shop case). An agency with several shops must name one.
 */
export async function resolveShop(shops: ShopRepository, shopId?: string | null): Promise<Shop> {
  if (shopId) {
    const shop = /^[0-9a-f-]{36}$/i.test(shopId) ? await shops.findShop(shopId) : null;
    if (!shop) throw new NotFoundError(`Shop ${shopId}`);
    return shop;
  }
  const active = await shops.listActiveShops();
  if (active.length === 1) return active[0]!;
  if (active.length === 0) throw new NotFoundError('An active shop');
  throw new ValidationFailedError('Several shops are active: name one with shopId.', [
    { field: 'shopId', message: 'required when more than one shop is active' },
  ]);
}
