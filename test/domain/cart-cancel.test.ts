// Which cancelled line stands for its cart under the cart counting unit (cartCancelOf): table tests.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cartCancelOf } from '../../src/domain/cancel-booking';

const at = (hours: number) => new Date(Date.UTC(2026, 10, 5, 1) + hours * 3_600_000);
const line = (orderNo: string, hoursAfter: number, counted: boolean) => ({ orderNo, cancelledAt: at(hoursAfter), counted });

describe('cartCancelOf', () => {
  const cases: Array<[string, ReturnType<typeof line>[], string | null]> = [
    ['no cancelled line: no cart cancel', [], null],
    ['a cart of one line: that line', [line('A1', 10, true)], 'A1'],
    ['one counted line among excluded ones: the counted one, though later', [line('C1', 2, false), line('C2', 7, true)], 'C2'],
    ['several counted lines: the first counted', [line('C3', 8, true), line('C1', 2, false), line('C2', 7, true)], 'C2'],
    ['every line excluded: the first cancelled', [line('D2', 5.99, false), line('D1', 1, false)], 'D1'],
    ['the same instant: the smaller order number', [line('F2', 6, true), line('F1', 6, true)], 'F1'],
  ];
  for (const [name, lines, expected] of cases) {
    test(name, () => {
      assert.equal(cartCancelOf(lines)?.orderNo ?? null, expected);
      // The arrival order of the lines never matters.
      assert.equal(cartCancelOf([...lines].reverse())?.orderNo ?? null, expected);
    });
  }
});
