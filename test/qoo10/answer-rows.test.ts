import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AnswerRows, splitAnswer } from '../../src/qoo10/answer-rows';

const malformed = (what: string) => new Error(what);

function rowsOf(body: string): { envelope: unknown; rows: unknown[] } | null {
  const buffer = Buffer.from(body, 'utf8');
  const split = splitAnswer(buffer);
  if (!split) return null;
  return { envelope: JSON.parse(split.envelope), rows: [...new AnswerRows(buffer, split.rows, malformed)] };
}

describe('splitAnswer', () => {
  test('cuts a list answer into its rows; the rest of the envelope stays as sent', () => {
    const body = ' {"ResultCode":0, "ResultMsg" : "SUCCESS",\n "ResultObject": [ {"OrderNo":"1","ItemTitle":"靴 \\"特価\\" [赤]{新}","Nested":{"a":[1,{"b":"]"}]}} ,{"OrderNo":"2","Note":"\\\\"}\n] } ';
    assert.deepEqual(rowsOf(body), {
      envelope: { ResultCode: 0, ResultMsg: 'SUCCESS' },
      rows: [
        { OrderNo: '1', ItemTitle: '靴 "特価" [赤]{新}', Nested: { a: [1, { b: ']' }] } },
        { OrderNo: '2', Note: '\\' },
      ],
    });
    assert.deepEqual(rowsOf('{"ResultObject":[],"ResultCode":0}'), { envelope: { ResultCode: 0 }, rows: [] });
  });

  test('any JSON array of objects comes back as JSON.parse reads it', () => {
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.string(), fc.jsonValue())), fc.string(), (rows, message) => {
        const body = JSON.stringify({ ResultCode: 0, ResultMsg: message, ResultObject: rows }, null, rows.length % 2 === 0 ? 0 : 2);
        const read = rowsOf(body);
        assert.ok(read);
        assert.deepEqual(read.rows, JSON.parse(body).ResultObject);
        assert.deepEqual(read.envelope, { ResultCode: 0, ResultMsg: message });
      }),
    );
  });

  test('anything but the plain shape is left to the whole parse (null)', () => {
    for (const body of [
      '',
      'plain text',
      '[{"ResultCode":0}]',
      '{"ResultCode":0,"ResultObject":null}',
      '{"ResultCode":0,"ResultObject":{"OrderNo":"1"}}',
      '{"ResultCode":0}',
      '{"ResultCode":0,"ResultObject":[{"a":1}],"ResultObject":[]}',
      '{"ResultCode":0,"Result\\u004fbject":[],"ResultObject":[{"a":1}]}',
      '{"ResultCode":0,"ResultObject":[{"a":1}]} trailing',
      '{"ResultCode":0,"ResultObject":[{"a":1} {"b":2}]}',
      '{"ResultCode":0,"ResultObject":[{"a":1},]}x',
      '{"ResultCode":0,"ResultObject":[{"a":"unterminated}]}',
      '{"ResultCode":0,"ResultObject":[{"a":1}]',
      '\uFEFF{"ResultCode":0,"ResultObject":[]}',
    ]) {
      assert.equal(splitAnswer(Buffer.from(body)), null, body);
    }
  });

  test('a row that is not valid JSON makes the answer malformed when it is reached', () => {
    const buffer = Buffer.from('{"ResultCode":0,"ResultObject":[{"a":1},{"a":tru},{"a":3}]}');
    const split = splitAnswer(buffer);
    assert.ok(split);
    const rows = new AnswerRows(buffer, split.rows, malformed)[Symbol.iterator]();
    assert.deepEqual(rows.next().value, { a: 1 });
    assert.throws(() => rows.next(), /ResultObject\[1\] is not valid JSON/);
  });
});
