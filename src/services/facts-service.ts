import { parse } from 'csv-parse/sync';
import type { SellerFaultCause } from '../domain/types';
import type { ShopRepository } from '../persistence/shop-repository';
import type { FactsRepository, ItemFact } from '../persistence/facts-repository';
import { resolveShop } from './shop-resolver';

export interface LineError {
  line: number;
  message: string;
}

/** Parses a stock CSV (`seller_item_code,available`, header optional). Bad rows are reported by line. */
export function parseStockCsv(text: string): { rows: Array<{ sellerItemCode: string; available: number }>; errors: LineError[] } {
  const records: string[][] = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: false, trim: true });
  const rows: Array<{ sellerItemCode: string; available: number }> = [];
  const errors: LineError[] = [];
  records.forEach((record, index) => {
    const line = index + 1;
    if (record.every((cell) => cell === '')) return;
    if (line === 1 && /seller_item_code/i.test(record[0] ?? '')) return;
    const [code, available] = record;
    if (!code) {
      errors.push({ line, message: 'seller_item_code is empty' });
    } else if (available === undefined || !/^\d+$/.test(available)) {
      errors.push({ line, message: `available must be a whole number of units (got "${available ?? ''}")` });
    } else {
      rows.push({ sellerItemCode: code, available: Number(available) });
    }
  });
  return { rows, errors };
}

/** The shop's own facts the decisions need: stock, made-to-order items, packed / handed-over orders. */
export class FactsService {
  constructor(
    private readonly shops: ShopRepository,
    private readonly facts: FactsRepository,
  ) {}

  async importStock(shopId: string | undefined, csv: string): Promise<{ imported: number; errors: LineError[] }> {
    const shop = await resolveShop(this.shops, shopId);
    const { rows, errors } = parseStockCsv(csv);
    return { imported: await this.facts.setStock(shop.id, rows), errors };
  }

  async setStock(shopId: string | undefined, sellerItemCode: string, available: number): Promise<void> {
    const shop = await resolveShop(this.shops, shopId);
    await this.facts.setStock(shop.id, [{ sellerItemCode, available }]);
  }

  async setMadeToOrder(shopId: string | undefined, sellerItemCode: string, madeToOrder: boolean): Promise<void> {
    const shop = await resolveShop(this.shops, shopId);
    await this.facts.setMadeToOrder(shop.id, sellerItemCode, madeToOrder);
  }

  async listItems(shopId: string | undefined): Promise<ItemFact[]> {
    const shop = await resolveShop(this.shops, shopId);
    return this.facts.listItemFacts(shop.id);
  }

  async recordOrderFact(
    shopId: string | undefined,
    orderNo: string,
    fact: { packed?: boolean; handedToCarrier?: boolean; shopFault?: SellerFaultCause | null; note?: string | null },
    now: Date,
  ): Promise<void> {
    const shop = await resolveShop(this.shops, shopId);
    await this.facts.recordOrderFact(shop.id, orderNo, {
      packedAt: fact.packed ? now : null,
      handedToCarrierAt: fact.handedToCarrier ? now : null,
      shopFault: fact.shopFault ?? null,
      note: fact.note ?? null,
    });
  }
}
