import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import type { Qoo10Client } from '../qoo10/qoo10-client';
import { HttpQoo10Client } from '../qoo10/http-qoo10-client';
import type { ShopRepository } from '../persistence/shop-repository';

/** Hands out the Qoo10 client of a shop. Tests give a function that returns a client of their own. */
export type Qoo10ClientProvider = (shop: Shop) => Promise<Qoo10Client>;

/**
 * One HttpQoo10Client per shop, kept for the life of the process so its polite pacing holds across
 * poll cycles. The key is decrypted only here, right before it is handed to the client.
 */
export function httpQoo10ClientProvider(options: {
  shops: ShopRepository;
  baseUrl: () => string;
  timeoutMs: number;
  minIntervalMs: number;
  searchDateFormat: 'date' | 'datetime';
  logger: Logger;
}): Qoo10ClientProvider {
  const clients = new Map<string, Qoo10Client>();
  return async (shop) => {
    const existing = clients.get(shop.id);
    if (existing) return existing;
    const client = new HttpQoo10Client({
      baseUrl: options.baseUrl(),
      sellerAuthKey: await options.shops.sellerAuthKey(shop.id),
      timeoutMs: options.timeoutMs,
      minIntervalMs: options.minIntervalMs,
      searchDateFormat: options.searchDateFormat,
      logger: options.logger.child({ shopId: shop.id }),
    });
    clients.set(shop.id, client);
    return client;
  };
}
