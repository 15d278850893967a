// AnswerStream (ADR 0024): a large list answer cut into rows while it arrives, whatever the chunk
// boundaries; odd shapes held whole for the old handling; broken answers malformed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AnswerStream, type AnswerEnd } from '../../src/qoo10/answer-stream';

class Malformed extends Error {}
const malformed = (what: string) => new Malformed(what);
/** Releases when the envelope before the rows parses and says ResultCode 0 (what the client checks). */
const saysSuccess = (envelope: string) => {
  try {
    return (JSON.parse(envelope) as { ResultCode?: unknown }).ResultCode === 0;
  } catch {
    return false;
  }
};

interface Read {
  rows: string[];
  end: AnswerEnd;
  releasedAfterBytes: number | null;
}

/** Pushes `body` cut at the given byte offsets. */
function readCut(body: Buffer, cuts: number[], minBytes = 0): Read {
  const stream = new AnswerStream(minBytes, saysSuccess, malformed);
  const rows: string[] = [];
  let releasedAfterBytes: number | null = null;
  const points = [...new Set(cuts.filter((c) => c > 0 && c < body.length))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, body.length]) {
    rows.push(...stream.push(body.subarray(from, to)));
    if (releasedAfterBytes === null && stream.releasing) releasedAfterBytes = to;
    from = to;
  }
  return { rows, end: stream.end(), releasedAfterBytes };
}

const everyByte = (body: Buffer) => Array.from({ length: body.length }, (_, i) => i);

describe('AnswerStream', () => {
  const tricky =
    '{"ResultCode":0,"ResultMsg":"成功 \\"ok\\"",\r\n "ResultObject" : [ {"OrderNo":"1","ItemTitle":"靴 \\"特価\\" [赤]{新} 🎉","Nested":{"a":[1,{"b":"]\\\\"}]}} ,\n' +
    '{"OrderNo":"2","Note":"\\\\","Esc":"\\u00e9\\ud83c\\udf89\\/"},{"OrderNo":"3","Buyer":"山田\\u0000花子"}\n] , "Extra" : {"k":[1,2]} } \n';

  test('hands out each row whole and the envelope without them, with a cut at every byte', () => {
    const body = Buffer.from(tricky, 'utf8');
    const expected = JSON.parse(tricky) as { ResultObject: unknown[] } & Record<string, unknown>;
    for (const cuts of [[], everyByte(body)]) {
      const read = readCut(body, cuts);
      assert.deepEqual(read.rows.map((row) => JSON.parse(row)), expected.ResultObject);
      assert.ok('envelope' in read.end);
      const { ResultObject: _rows, ...rest } = expected;
      assert.deepEqual(JSON.parse(read.end.envelope), rest);
    }
  });

  test('rows come out as soon as their last byte is in: the answer is never held whole', () => {
    const rows = Array.from({ length: 2_000 }, (_, i) => ({ OrderNo: String(i), ItemTitle: `商品${i}`.repeat(20) }));
    const body = Buffer.from(JSON.stringify({ ResultCode: 0, ResultMsg: 'SUCCESS', ResultObject: rows }));
    const stream = new AnswerStream(64 * 1024, saysSuccess, malformed);
    let handed = 0;
    for (let from = 0; from < body.length; from += 16 * 1024) {
      handed += stream.push(body.subarray(from, from + 16 * 1024)).length;
      // Past the first 64 KiB, nothing but the row being cut is kept back.
      if (from >= 64 * 1024) assert.ok(handed >= Math.floor((from / body.length) * rows.length) - 2, `by byte ${from}: ${handed} rows`);
    }
    assert.equal(handed, rows.length);
    assert.ok('envelope' in stream.end());
  });

  test('any rows, any envelope, cut anywhere: the same as JSON.parse of the whole', () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 2 })), { maxLength: 8 }),
        fc.string({ unit: 'binary' }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.boolean(),
        (rows, message, cuts, pretty) => {
          const text = JSON.stringify({ ResultCode: 0, ResultObject: rows, ResultMsg: message }, null, pretty ? 2 : 0);
          const body = Buffer.from(text, 'utf8');
          const read = readCut(body, cuts.map((c) => c % (body.length + 1)));
          assert.deepEqual(read.rows.map((row) => JSON.parse(row)), JSON.parse(text).ResultObject);
          assert.ok('envelope' in read.end);
          assert.deepEqual(JSON.parse(read.end.envelope), { ResultCode: 0, ResultMsg: message });
        },
      ),
    );
  });

  test('anything but the plain shape, or no success before the rows, is held whole and handed back as sent', () => {
    for (const text of [
      '',
      'plain text',
      '[{"ResultCode":0}]',
      '{}',
      '{"ResultCode":0,"ResultObject":null}',
      '{"ResultCode":0,"ResultObject":{"OrderNo":"1"}}',
      '{"ResultCode":0}',
      '{"ResultCode":0,"Result\\u004fbject":[],"ResultObject":[{"a":1}]}',
      '\uFEFF{"ResultCode":0,"ResultObject":[{"a":1}]}',
      '{"ResultObject":[{"a":1}],"ResultCode":0}',
      '{"ResultCode":-10001,"ResultMsg":"no","ResultObject":[{"a":1}]}',
      '{"ErrorCode":-1,"ResultObject":[{"a":1}]}',
      '{"ResultCode":"0x","ResultObject":[{"a":1}]}',
      '{"ResultCode":0 "ResultObject":[{"a":1}]}',
    ]) {
      const body = Buffer.from(text, 'utf8');
      for (const cuts of [[], everyByte(body)]) {
        const read = readCut(body, cuts);
        assert.deepEqual(read.rows, [], text);
        assert.deepEqual(read.end, { body }, text);
      }
    }
  });

  test('an answer shorter than minBytes is held whole, however plain', () => {
    const body = Buffer.from('{"ResultCode":0,"ResultObject":[{"a":1},{"a":2}]}');
    assert.deepEqual(readCut(body, everyByte(body), body.length + 1), { rows: [], end: { body }, releasedAfterBytes: null });
    const released = readCut(body, everyByte(body), body.length);
    assert.equal(released.rows.length, 2);
    assert.equal(released.releasedAfterBytes, body.length);
  });

  test('once rows are out, an answer that breaks further on is malformed (never "no more rows")', () => {
    for (const [text, what] of [
      ['{"ResultCode":0,"ResultObject":[{"a":1},{"a":2', /ended inside ResultObject/],
      ['{"ResultCode":0,"ResultObject":[{"a":1},{"a":"unterminated}]}', /ended inside ResultObject/],
      ['{"ResultCode":0,"ResultObject":[{"a":1}]', /not valid JSON/],
      ['{"ResultCode":0,"ResultObject":[{"a":1}]} trailing', /not valid JSON/],
      ['{"ResultCode":0,"ResultObject":[{"a":1}],}', /not valid JSON/],
      ['{"ResultCode":0,"ResultObject":[{"a":1}] "x":1}', /not valid JSON/],
      ['{"ResultCode":0,"ResultObject":[{"a":1}],"ResultObject":[]}', /ResultObject twice/],
      ['{"ResultCode":0,"ResultObject":[{"a":1}],"Result\\u004fbject":[]}', /ResultObject twice/],
      ['{"ResultCode":0,"ResultObject":[{"a":1} {"b":2}]}', /not a JSON array/],
      ['{"ResultCode":0,"ResultObject":[{"a":1},]}', /not a JSON array/],
      ['{"ResultCode":0,"ResultObject":[,{"a":1}]}', /not a JSON array/],
    ] as const) {
      const body = Buffer.from(text, 'utf8');
      for (const cuts of [[], everyByte(body)]) {
        assert.throws(() => readCut(body, cuts), (error: unknown) => error instanceof Malformed && what.test(error.message), text);
      }
    }
  });

  test('rows are handed out as text for the caller to parse: a bad row or a NUL byte is the caller’s to refuse', () => {
    const text = '{"ResultCode":0,"ResultObject":[{"a":tru},{"b":"x\u0000y"},7,"s",[1]]}';
    const read = readCut(Buffer.from(text, 'utf8'), []);
    assert.deepEqual(read.rows, ['{"a":tru}', '{"b":"x\u0000y"}', '7', '"s"', '[1]']);
    assert.throws(() => JSON.parse(read.rows[1]!), SyntaxError);
  });

  test('a later ResultCode is read from the whole envelope, as a whole parse reads it', () => {
    const read = readCut(Buffer.from('{"ResultCode":0,"ResultObject":[{"a":1}],"ResultCode":-10001,"ResultMsg":"x"}'), []);
    assert.ok('envelope' in read.end);
    assert.deepEqual(JSON.parse(read.end.envelope), { ResultCode: -10001, ResultMsg: 'x' });
  });
});
