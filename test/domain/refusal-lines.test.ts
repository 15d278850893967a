import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { refusalLines, type CartLine } from '../../src/domain/refusal-lines';

const line = (orderNo: string, qoo10TrackingNo: string | null = null, knownTrackingNos: string[] = []): CartLine => ({ orderNo, qoo10TrackingNo, knownTrackingNos });
const OURS = '1234-5678-9012';

describe('which cart lines a refusal submits its tracking number for', () => {
  const cases: Array<{ name: string; cart: CartLine[]; send: string[]; skipped: string[] }> = [
    { name: 'a one-line cart: that line', cart: [line('A')], send: ['A'], skipped: [] },
    { name: 'an ordinary cart in one parcel: every line', cart: [line('A', null, [OURS]), line('B'), line('C')], send: ['A', 'B', 'C'], skipped: [] },
    { name: 'a line already carrying our number (written differently) is sent again harmlessly', cart: [line('A'), line('B', '123456789012')], send: ['A', 'B'], skipped: [] },
    { name: 'a line with another number on Qoo10 is never overwritten', cart: [line('A', null, [OURS]), line('B', '400000000013')], send: ['A'], skipped: ['B'] },
    { name: 'a line the shop holds another number for is another parcel', cart: [line('A', null, [OURS]), line('B', null, ['400000000013'])], send: ['A'], skipped: ['B'] },
    {
      name: 'in a split cart, a line with no number is not marked shipped',
      cart: [line('A', null, [OURS]), line('B', '400000000013'), line('C')],
      send: ['A'],
      skipped: ['B', 'C'],
    },
    { name: 'the refused line with another number on Qoo10 is left alone too', cart: [line('A', '400000000013')], send: [], skipped: ['A'] },
    { name: 'a refused line missing from the stored cart is still sent', cart: [], send: ['A'], skipped: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const result = refusalLines('A', c.cart, OURS);
      assert.deepEqual(result.send, c.send);
      assert.deepEqual(result.skipped.map((s) => s.orderNo), c.skipped);
      assert.ok(result.skipped.every((s) => s.why.length > 0));
    });
  }
});
