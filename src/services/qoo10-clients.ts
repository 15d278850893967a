import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import type { Qoo10Client } from '../qoo10/qoo10-client';
import { HttpQoo10Client } from '../qoo10/http-qoo10-client';
import type { ShopRepository } from '../persistence/shop-repository';

/** Hands out the Qoo10 client of a shop. Tests give a function that returns a client of their own. */
export type Qoo10ClientProvider = (shop: Shop) => Promise<Qoo10Client>;

/**
 * Clients kept at most: a process works on a few dozen shops at a time but, on the job queue, meets every
 * shop of the database in turn (20,000 clients would be ~800 MB). The least recently used is dropped.
 */
export const QOO10_CLIENTS_KEPT = 512;

/**
 * One HttpQoo10Client per shop, kept while the shop is among the QOO10_CLIENTS_KEPT most recently used, so
 * its polite pacing holds across calls close together (a dropped client's last call is hundreds of client
 * look-ups old, far beyond the pacing interval; and one holder per shop works on it at a time, by its lease).
 * The key comes with the shop row the caller read (ShopRepository.storedKeyOf: no second read of the row
 * per poll) and is decrypted only here, right before it is handed to a new client. A kept client is used
 * only while the shop's stored key is the one it was made with: a key stored since gets a new client.
 */
export function httpQoo10ClientProvider(options: {
  shops: ShopRepository;
  baseUrl: () => string;
  timeoutMs: number;
  minIntervalMs: number;
  searchDateFormat: 'date' | 'datetime';
  logger: Logger;
  kept?: number;
}): Qoo10ClientProvider {
  const kept = options.kept ?? QOO10_CLIENTS_KEPT;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const clients = new Map<string, { client: Qoo10Client; storedKey: string }>();
  return async (shop) => {
    const storedKey = await options.shops.storedKeyOf(shop);
    const existing = clients.get(shop.id);
    if (existing) clients.delete(shop.id);
    if (existing && existing.storedKey === storedKey) {
      clients.set(shop.id, existing);
      return existing.client;
    }
    const client = new HttpQoo10Client({
      baseUrl: options.baseUrl(),
      sellerAuthKey: options.shops.decryptStoredKey(shop.id, storedKey),
      timeoutMs: options.timeoutMs,
      minIntervalMs: options.minIntervalMs,
      searchDateFormat: options.searchDateFormat,
      logger: options.logger.child({ shopId: shop.id }),
    });
    clients.set(shop.id, { client, storedKey: storedKey! });
    if (clients.size > kept) clients.delete(clients.keys().next().value!);
    return client;
  };
}
