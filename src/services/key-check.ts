// Start-up check of the stored Qoo10 keys (issue 13, defect 9). Changing CREDENTIALS_SECRET made every
// poll fail with "cannot be decrypted" while the key status stayed 'ok'. Now the change is found before
// the first poll: the shop's key status becomes 'undecryptable', an alert says what to do, and the log
// says it once, plainly. When the key in QOO10_SELLER_AUTH_KEY is the stored one, it is simply stored
// again under the new secret.
import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import type { ShopRepository } from '../persistence/shop-repository';
import type { AlertService } from './alert-service';
import { alertKeyUndecryptable } from './qoo10-data-alerts';

/** The command that stores a key again; it reads the key from standard input. */
export const SET_KEY_COMMAND = 'cancel-guard shops set-key --shop';

/** Checks every active shop's stored key; returns the shops whose key cannot be decrypted. */
export async function checkStoredKeys(input: {
  shops: ShopRepository;
  alerts: AlertService;
  logger: Logger;
  now: Date;
  /** QOO10_SELLER_AUTH_KEY, when configured. */
  configuredKey: string | null;
}): Promise<Shop[]> {
  const { shops, alerts, logger, now, configuredKey } = input;
  const broken: Shop[] = [];
  for (const shop of await shops.listActiveShops()) {
    if ((await shops.checkStoredKey(shop.id)) !== 'undecryptable') continue;
    if (configuredKey && (await shops.isStoredKey(shop.id, configuredKey))) {
      await shops.storeKey(shop.id, configuredKey, now);
      logger.warn({ shopId: shop.id }, 'the stored Qoo10 key could not be decrypted (CREDENTIALS_SECRET changed); stored it again from QOO10_SELLER_AUTH_KEY');
      continue;
    }
    await shops.recordKeyStatus(shop.id, 'undecryptable');
    await alertKeyUndecryptable(alerts, shop, now);
    logger.error(
      { shopId: shop.id, shopName: shop.name },
      `the stored Qoo10 key of shop "${shop.name}" cannot be decrypted: CREDENTIALS_SECRET changed since it was stored. ` +
        `Polling this shop is stopped. Restore the previous secret, or store the key again: ${SET_KEY_COMMAND} ${shop.id} (the key is read from standard input)`,
    );
    broken.push({ ...shop, keyStatus: 'undecryptable' });
  }
  return broken;
}
