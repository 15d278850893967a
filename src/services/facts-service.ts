import { parse } from 'csv-parse/sync';
import { decodeLabelFile } from '../domain/label-csv';
import { ValidationFailedError } from '../errors';
import type { SellerFaultCause } from '../domain/types';
import type { ShopRepository } from '../persistence/shop-repository';
import type { FactsRepository, ItemFact } from '../persistence/facts-repository';
import { resolveShop } from './shop-resolver';

export interface LineError {
  line: number;
  message: string;
}

export interface StockImportResult {
  /** Items written (0 in a preview). */
  imported: number;
  /** True when nothing was written: the preview of what an import would do. */
  dryRun: boolean;
  /** The rows an import writes (or would write), by line. */
  accepted: Array<{ line: number; sellerItemCode: string; available: number }>;
  errors: LineError[];
}

const STOCK_HEADER = 'seller_item_code,available';

const MAX_STOCK = 1_000_000_000;

/**
 * Parses a stock CSV (`seller_item_code,available`, header optional). Bad rows are reported by line
 * and the rest are kept; a file csv-parse cannot read at all (an unclosed quote, binary data) is
 * refused whole.
 */
export function parseStockCsv(text: string): { rows: Array<{ line: number; sellerItemCode: string; available: number }>; errors: LineError[] } {
  const rows: Array<{ line: number; sellerItemCode: string; available: number }> = [];
  const errors: LineError[] = [];
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: false, trim: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    throw new ValidationFailedError('The stock file is not readable CSV (an unclosed quote or binary data); nothing was imported.', [
      { field: 'body', message: `unreadable from line ${line}` },
    ]);
  }
  records.forEach((record, index) => {
    const line = index + 1;
    if (record.every((cell) => cell === '')) return;
    if (line === 1 && /seller_item_code/i.test(record[0] ?? '')) return;
    // A first line that is neither data nor our header is another tool's header: refuse the file
    // rather than guess which column holds what.
    if (line === 1 && record.length >= 2 && !/^\d+$/.test(record[1] ?? '')) {
      throw new ValidationFailedError(`Line 1 is not the stock header: expected "${STOCK_HEADER}", got "${record.join(',').slice(0, 60)}"; nothing was imported.`, [
        { field: 'body', message: 'wrong header on line 1' },
      ]);
    }
    const [code, available] = record;
    if (!code) {
      errors.push({ line, message: 'seller_item_code is empty' });
    } else if (code.length > 100 || /[\u0000-\u001f\u007f]/.test(code)) {
      errors.push({ line, message: 'seller_item_code must be 1–100 printable characters' });
    } else if (available === undefined || !/^\d{1,10}$/.test(available) || Number(available) > MAX_STOCK) {
      errors.push({ line, message: `available must be a whole number of units up to ${MAX_STOCK} (got "${(available ?? '').slice(0, 20)}")` });
    } else {
      rows.push({ line, sellerItemCode: code, available: Number(available) });
    }
  });
  if (rows.length === 0 && errors.length === 0) {
    throw new ValidationFailedError(`The stock file has no rows: expected "${STOCK_HEADER}" and one line per item.`, [{ field: 'body', message: 'empty file' }]);
  }
  return { rows, errors };
}

/** The shop's own facts the decisions need: stock, made-to-order items, packed / handed-over orders. */
export class FactsService {
  constructor(
    private readonly shops: ShopRepository,
    private readonly facts: FactsRepository,
  ) {}

  /** A stock file as bytes: UTF-8 or Shift_JIS (inventory tools export either), detected like label files. */
  /**
   * A code the shop has never seen (no order, no stored fact) is most often a typo or another shop's
   * file, so it is a line error unless allowUnknown; a shop that knows no items yet accepts every code.
   * dryRun parses and checks without writing (the dashboard's preview).
   */
  async importStock(shopId: string | undefined, file: Buffer, options: { dryRun?: boolean; allowUnknown?: boolean } = {}): Promise<StockImportResult> {
    const shop = await resolveShop(this.shops, shopId);
    const decoded = decodeLabelFile(file);
    if (!decoded.ok) throw new ValidationFailedError(decoded.message, [{ field: 'body', message: decoded.code }]);
    if (decoded.text.includes('\u0000')) throw new ValidationFailedError('The stock file contains NUL characters; it is not a CSV text file.', [{ field: 'body', message: 'contains NUL' }]);
    const parsed = parseStockCsv(decoded.text);
    const errors = [...parsed.errors];
    const known = options.allowUnknown ? new Set<string>() : await this.facts.knownItemCodes(shop.id);
    const accepted: StockImportResult['accepted'] = [];
    for (const row of parsed.rows) {
      if (known.size > 0 && !known.has(row.sellerItemCode)) {
        errors.push({ line: row.line, message: `seller_item_code "${row.sellerItemCode}" is unknown to this shop (no order and no stock yet); check the code` });
      } else accepted.push(row);
    }
    errors.sort((a, b) => a.line - b.line);
    const imported = options.dryRun ? 0 : await this.facts.setStock(shop.id, accepted);
    return { imported, dryRun: options.dryRun === true, accepted, errors };
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
