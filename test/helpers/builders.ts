import type { ShopPolicy } from '../../src/domain/types';

export function testShopPolicy(overrides: Partial<ShopPolicy> = {}): ShopPolicy {
  return {
    packedOrders: 'review',
    refuseMadeToOrder: true,
    sameDayCutoffJst: '17:00',
    stockMeaning: 'on_hand',
    autoDecisions: ['accept', 'refuse'],
    ...overrides,
  };
}
