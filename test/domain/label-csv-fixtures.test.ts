// Each sample export in test/fixtures/label-csv (made by make-fixtures.js there) holds valid rows,
// typos, empty cells, cut-off rows and duplicates; the tests pin every outcome to its line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseLabelCsv, type ParsedLabelFile } from '../../src/domain/label-csv';

// Tests run compiled from dist/test/domain; the fixtures stay in the source tree.
const FIXTURES = [path.resolve(__dirname, '../../../test/fixtures/label-csv'), path.resolve('test/fixtures/label-csv')].find(
  (dir) => existsSync(dir),
);

function parseFixture(name: string): ParsedLabelFile {
  if (FIXTURES === undefined) throw new Error('test/fixtures/label-csv not found; run the tests from the project root');
  return parseLabelCsv(readFileSync(path.join(FIXTURES, name)));
}

const at = (problems: ParsedLabelFile['errors']) => problems.map((p) => [p.line, p.code]);
const heldAt = (file: ParsedLabelFile) => file.held.map((h) => [h.line, h.reasons.map((r) => r.code).join(',')]);
const rowSummary = (file: ParsedLabelFile) => file.rows.map((r) => [r.line, r.reference, r.trackingNo, r.service]);

describe('B2クラウド export (Shift_JIS, CRLF)', () => {
  const file = parseFixture('yamato-b2.sjis.csv');

  test('is recognised as B2 in CP932', () => {
    assert.equal(file.format, 'yamato-b2');
    assert.equal(file.encoding, 'cp932');
  });

  test('keeps the good rows with their physical lines and B2 services', () => {
    assert.deepEqual(rowSummary(file), [
      [2, '1043000001', '432109876505', '宅急便'],
      [3, '1043000002', '432109876612', 'ネコポス'],
      [5, '1043000003', '432109876726', '宅急便コンパクト'],
      [11, null, '432109877054', '宅急便'],
      [12, '1043000008', '365012345670', null],
      [13, '1043000009', '365012345784', '宅急便'],
    ]);
    assert.ok(file.rows.every((r) => r.carrier === 'yamato'));
  });

  test('holds typos for a person, rejects empty and cut-off rows and a number reused for another order', () => {
    assert.deepEqual(heldAt(file), [
      [6, 'check_digit_mismatch'],
      [14, 'check_digit_mismatch'],
    ]);
    assert.deepEqual(at(file.errors), [
      [7, 'missing_tracking'],
      [8, 'too_few_fields'],
      [10, 'duplicate_tracking'],
    ]);
    assert.match(file.errors[2].message, /line 5/);
  });

  test('warns about a row without management number and an unknown 送り状種別', () => {
    assert.deepEqual(at(file.warnings), [
      [11, 'missing_reference'],
      [12, 'unknown_service_code'],
    ]);
  });

  test('keeps recipient details, digits only, for matching rows without reference', () => {
    assert.deepEqual(file.rows[0].recipient, { name: '山田 太郎', postcode: '1000001', phone: '0300000001' });
    assert.deepEqual(file.rows[3].recipient, { name: '高橋 次郎', postcode: '5300001', phone: '09000000002' });
  });
});

describe('e飛伝Ⅱ export (Shift_JIS, № spelling)', () => {
  const file = parseFixture('sagawa-ehiden2.sjis.csv');

  test('is recognised as e飛伝Ⅱ', () => {
    assert.equal(file.format, 'sagawa-ehiden2');
    assert.equal(file.encoding, 'cp932');
  });

  test('keeps the good rows, including one with a comma inside a quoted name', () => {
    assert.deepEqual(rowSummary(file), [
      [2, '1043100001', '182700456120', null],
      [3, '1043100002', '182700456234', null],
      [10, '1043100010', '182700456562', null],
    ]);
    assert.ok(file.rows.every((r) => r.carrier === 'sagawa'));
    assert.equal(file.rows[1].recipient?.name, '株式会社サンプル, 物流部');
  });

  test('reports each bad row on its line; typos are held', () => {
    assert.deepEqual(heldAt(file), [
      [4, 'check_digit_mismatch'],
      [6, 'wrong_length'],
    ]);
    assert.deepEqual(at(file.errors), [
      [5, 'missing_tracking'],
      [7, 'too_few_fields'],
      [9, 'duplicate_tracking'],
    ]);
    assert.deepEqual(file.warnings, []);
  });
});

describe('e飛伝Ⅲ export (UTF-8 with BOM, quoted CRLF newlines)', () => {
  const file = parseFixture('sagawa-ehiden3.utf8bom.csv');

  test('is recognised as e飛伝Ⅲ in UTF-8 with BOM', () => {
    assert.equal(file.format, 'sagawa-ehiden3');
    assert.equal(file.encoding, 'utf-8-bom');
  });

  test('counts a record spanning three lines once, and the lines after it right', () => {
    assert.deepEqual(rowSummary(file), [
      [2, '1043200001', '555123400016', null],
      [3, '1043200002', '555123400123', null],
      [11, '1043200011', '555123400230', null],
    ]);
    assert.deepEqual(heldAt(file), [
      [6, 'check_digit_mismatch'],
      [7, 'not_digits'],
    ]);
    assert.deepEqual(at(file.errors), [
      [8, 'too_few_fields'],
      [9, 'duplicate_tracking'],
    ]);
  });
});

describe('ゆうプリR shipping history (Shift_JIS)', () => {
  const file = parseFixture('japanpost-yupri.sjis.csv');

  test('is recognised as ゆうプリR', () => {
    assert.equal(file.format, 'japanpost-yupri');
    assert.equal(file.encoding, 'cp932');
  });

  test('keeps 12-digit, 11-digit and EMS numbers, and a Japan Post check mismatch as a warning', () => {
    assert.deepEqual(rowSummary(file), [
      [2, '1043300001', '365012345891', null],
      [3, '1043300002', '365012345903', null],
      [4, '1043300003', '18270045673', null],
      [5, '1043300004', 'EE123456785JP', null],
      [12, null, '365012346016', null],
    ]);
    assert.ok(file.rows.every((r) => r.carrier === 'japanpost'));
    assert.deepEqual(at(file.warnings), [
      [3, 'check_digit_unconfirmed'],
      [12, 'missing_reference'],
    ]);
  });

  test('holds a bad EMS check digit and a wrong length, rejects empty and cut-off rows and a reused number', () => {
    assert.deepEqual(heldAt(file), [
      [6, 'check_digit_mismatch'],
      [7, 'wrong_length'],
    ]);
    assert.deepEqual(at(file.errors), [
      [8, 'missing_tracking'],
      [9, 'too_few_fields'],
      [11, 'duplicate_tracking'],
    ]);
  });
});

describe('クリックポスト list (UTF-8, LF, no management number)', () => {
  const file = parseFixture('clickpost.utf8.csv');

  test('is recognised as Click Post', () => {
    assert.equal(file.format, 'clickpost');
    assert.equal(file.encoding, 'utf-8');
  });

  test('keeps rows without reference, with the recipient for matching', () => {
    assert.deepEqual(rowSummary(file), [
      [2, null, '182700456341', 'クリックポスト'],
      [3, null, '182700456455', 'クリックポスト'],
      [4, null, '182700456563', 'クリックポスト'],
    ]);
    assert.deepEqual(file.rows[1].recipient, { name: '佐藤 花子', postcode: '5300001' });
  });

  test('reports bad rows and treats the repeated row as the same parcel', () => {
    assert.deepEqual(heldAt(file), [[5, 'wrong_length']]);
    assert.deepEqual(at(file.errors), [
      [6, 'missing_tracking'],
      [7, 'too_few_fields'],
    ]);
    assert.deepEqual(at(file.warnings), [[4, 'check_digit_unconfirmed']]);
  });
});

describe('generic CSV (order_no,carrier,tracking_no,service)', () => {
  const file = parseFixture('generic.utf8.csv');

  test('is recognised as generic', () => {
    assert.equal(file.format, 'generic');
  });

  test('reads the carrier of each row from free text and holds a carrier it does not recognise', () => {
    assert.deepEqual(
      file.rows.map((r) => [r.line, r.reference, r.carrier, r.service, r.trackingNo]),
      [
        [2, '1043400001', 'yamato', null, '432109876833'],
        [3, '1043400002', 'sagawa', null, '182700456120'],
        [4, '1043400003', 'yamato', 'ネコポス', '432109876940'],
        [5, '1043400004', 'japanpost', 'ゆうパケット', '365012345670'],
        [6, '1043400005', 'other', '福山通運', '1234-5678-90'],
        [7, '1043400006', 'japanpost', null, 'EE202611221JP'],
        [11, '1043400010', 'yamato', null, '432109876505'],
      ],
    );
    assert.deepEqual(at(file.warnings), []);
    assert.deepEqual(file.held.map((h) => [h.line, h.carrier, h.trackingNo, h.reasons.map((r) => [r.code, r.field, r.confirmable])]), [
      [8, 'XYZ Express', 'XYZ0001', [['unknown_carrier', 'carrier', true]]],
      [12, 'ヤマト運輸', '432109876834', [['check_digit_mismatch', 'trackingNo', false]]],
    ]);
  });

  test('rejects rows without carrier or order number, typos, reuse and cut-off rows', () => {
    assert.deepEqual(at(file.errors), [
      [9, 'missing_carrier'],
      [10, 'missing_reference'],
      [13, 'duplicate_tracking'],
      [15, 'too_few_fields'],
    ]);
  });
});

describe('buyer data in messages', () => {
  test('no message of any fixture quotes a recipient name, phone, postcode or address', () => {
    const names = ['yamato-b2.sjis.csv', 'sagawa-ehiden2.sjis.csv', 'sagawa-ehiden3.utf8bom.csv', 'japanpost-yupri.sjis.csv', 'clickpost.utf8.csv', 'generic.utf8.csv'];
    const messages = names.flatMap((name) => {
      const file = parseFixture(name);
      return [...file.errors, ...file.warnings, ...file.held.flatMap((h) => h.reasons)].map((p) => p.message);
    });
    assert.ok(messages.length > 20);
    for (const message of messages) {
      assert.doesNotMatch(message, /山田|佐藤|鈴木|高橋|田中|サンプル|東京都|大阪府|0000-000|03-0000|090-/, message);
    }
  });
});

describe('junk rows are held for a person, never accepted (junk.utf8.csv)', () => {
  const file = parseFixture('junk.utf8.csv');
  const reasonsAt = (f: ParsedLabelFile) => f.held.map((h) => [h.line, h.reasons.map((r) => `${r.code}:${r.field}`).join(',')]);

  test('holds formula text, control and invisible characters, mojibake, an unknown carrier and U+FFFD by line', () => {
    assert.deepEqual(reasonsAt(file), [
      [3, 'formula_text:carrier'],
      [4, 'formula_text:trackingNo'],
      [5, 'formula_text:orderNo'],
      [6, 'formula_text:trackingNo'],
      [7, 'control_characters:carrier'],
      [8, 'control_characters:trackingNo'],
      [9, 'garbled_text:carrier'],
      [10, 'unknown_carrier:carrier'],
      [13, 'garbled_text:trackingNo'],
    ]);
    assert.deepEqual(file.errors, []);
  });

  test('only an unknown carrier can be confirmed as it is; everything else must be corrected', () => {
    assert.deepEqual(file.held.filter((h) => h.reasons.every((r) => r.confirmable)).map((h) => h.line), [10]);
  });

  test('normalises full-width digits and half-width katakana and accepts those rows (not held)', () => {
    assert.deepEqual(rowSummary(file), [
      [2, '1043500001', '432109876111', null],
      [11, '1043500010', '432109877006', null],
      [12, '1043500011', '182700457004', null],
    ]);
    assert.deepEqual(file.rows.map((r) => r.carrier), ['yamato', 'yamato', 'sagawa']);
  });
});

describe('Shift_JIS with invalid bytes (junk-invalid-bytes.sjis.csv)', () => {
  const file = parseFixture('junk-invalid-bytes.sjis.csv');

  test('holds the rows whose carrier or number holds an undecodable byte, and reads the others', () => {
    assert.equal(file.encoding, 'cp932');
    assert.deepEqual(file.held.map((h) => [h.line, h.reasons.map((r) => `${r.code}:${r.field}`)]), [
      [3, ['garbled_text:carrier']],
      [4, ['garbled_text:trackingNo']],
    ]);
    assert.deepEqual(file.rows.map((r) => [r.line, r.carrier, r.trackingNo]), [
      [2, 'yamato', '432109877220'],
      [5, 'sagawa', '182700457225'],
    ]);
  });
});

describe('a UTF-8 header over Shift_JIS rows (junk-utf8-header-sjis-rows.csv)', () => {
  const file = parseFixture('junk-utf8-header-sjis-rows.csv');

  test('reads the header, decodes each row in its own encoding, and holds the rows for confirmation', () => {
    assert.equal(file.format, 'yamato-b2');
    assert.equal(file.encoding, 'mixed');
    assert.deepEqual(file.rows, []);
    assert.deepEqual(file.held.map((h) => [h.line, h.orderNo, h.carrier, h.service, h.trackingNo, h.reasons.map((r) => [r.code, r.confirmable])]), [
      [2, '1043700001', 'yamato', '宅急便', '432109877441', [['mixed_encoding', true]]],
      [3, '1043700002', 'yamato', 'ネコポス', '432109877555', [['mixed_encoding', true]]],
    ]);
  });
});
