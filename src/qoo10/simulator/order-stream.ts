// A steady stream of new orders driven by the simulated clock: each tick adds the orders that
// `ratePerMinute` implies for the time since the last tick (fractions carry over), spread evenly over
// that time. New orders are paid and awaiting confirmation (2), as orders reach a seller.
import { pick, pickWeighted, seededRandom, type Random } from './prng';
import { PAYMENT_METHODS, SAMPLE_ITEMS, sampleBuyer, sampleQuantity } from './sample-data';
import { toScenarioText, type SimOrder, type SimShop, type SimulatorState } from './sim-state';

export interface OrderStreamOptions {
  sellerAuthKey: string;
  ratePerMinute: number;
  seed?: number | string;
}

export class OrderStream {
  private lastTickMs: number;
  private carry = 0;
  private stopped = false;
  private readonly random: Random;
  private readonly shop: SimShop;
  readonly ratePerMinute: number;

  constructor(
    private readonly state: SimulatorState,
    options: OrderStreamOptions,
    startAt: Date,
  ) {
    if (!(options.ratePerMinute >= 0)) throw new Error('ratePerMinute must be zero or more');
    const shop = state.shopByKey(options.sellerAuthKey);
    if (!shop) throw new Error('no shop with that key in the simulator');
    this.shop = shop;
    this.ratePerMinute = options.ratePerMinute;
    this.random = seededRandom(options.seed ?? 7);
    this.lastTickMs = startAt.getTime();
  }

  /** Adds the orders due up to `now`; returns them. A clock moved backwards adds nothing. */
  tick(now: Date): SimOrder[] {
    if (this.stopped || now.getTime() <= this.lastTickMs) return [];
    const elapsedMs = now.getTime() - this.lastTickMs;
    const due = (elapsedMs / 60_000) * this.ratePerMinute + this.carry;
    const count = Math.floor(due);
    this.carry = due - count;
    const added: SimOrder[] = [];
    for (let i = 1; i <= count; i += 1) {
      const at = new Date(this.lastTickMs + Math.floor((elapsedMs * i) / (count + 1)));
      added.push(this.addOrder(at));
    }
    this.lastTickMs = now.getTime();
    return added;
  }

  stop(): void {
    this.stopped = true;
  }

  private addOrder(at: Date): SimOrder {
    const r = this.random;
    const item = pick(r, SAMPLE_ITEMS);
    const orderedAt = toScenarioText(at);
    return this.state.addOrder(this.shop, {
      orderedAt,
      paidAt: orderedAt,
      shippingStatus: 2,
      itemNo: item.itemNo,
      sellerItemCode: item.sellerItemCode,
      itemTitle: item.title,
      option: item.options.length > 0 ? pick(r, item.options) : null,
      quantity: sampleQuantity(r),
      unitPriceYen: item.priceYen,
      paymentMethod: pickWeighted(r, PAYMENT_METHODS),
      ...sampleBuyer(r),
    });
  }
}
