// A list's rows mapped and handed over in batches while the answer is read (ADR 0024): with an answer that
// is still arriving (StreamedRows) each batch is handed over before the rest of the body is read, so
// neither the body nor the mapped list is ever held whole.
import { StreamedRows } from './answer-body';
import { Qoo10MalformedResponseError } from './errors';
import { eachResultRow, isPlainObject, mapRowInto, type RowFault } from './mappers';

/** Rows per batch handed over (the poll stores at most 1,000 rows per statement). */
export const ROW_BATCH = 1_000;

type Row = Record<string, unknown>;

/**
 * Maps the rows as mapRowsIsolated does (without `onRowFault` an unreadable row fails the answer; with it,
 * the row is reported, once the whole answer has been read, and skipped) and hands them to `take` in
 * batches of `size`. Answers how many rows were handed over.
 */
export async function deliverRows<T>(
  resultObject: unknown,
  method: string,
  map: (row: Row, index: number) => T,
  onRowFault: ((fault: RowFault) => void) | undefined,
  take: (items: T[]) => Promise<void>,
  size = ROW_BATCH,
): Promise<number> {
  const streamed = resultObject instanceof StreamedRows ? resultObject : null;
  const rows: AsyncIterable<unknown> | Iterable<unknown> = streamed ?? eachResultRow(resultObject, method);
  const faults: RowFault[] = [];
  let batch: T[] = [];
  let delivered = 0;
  const flush = async () => {
    const items = batch;
    batch = [];
    delivered += items.length;
    await take(items);
  };
  let index = 0;
  for await (const row of rows) {
    if (!isPlainObject(row)) {
      throw new Qoo10MalformedResponseError(`${method}: ResultObject[${index}] is not an object`, { method });
    }
    mapRowInto(batch, faults, row, index, method, map, onRowFault !== undefined);
    index += 1;
    if (batch.length >= size) await flush();
  }
  if (batch.length > 0) await flush();
  faults.forEach((fault) => onRowFault?.(fault));
  return delivered;
}
