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

  test('rejects typos, empty and cut-off rows and a number reused for another order', () => {
    assert.deepEqual(at(file.errors), [
      [6, 'check_digit_mismatch'],
      [7, 'missing_tracking'],
      [8, 'too_few_fields'],
      [10, 'duplicate_tracking'],
      [14, 'check_digit_mismatch'],
    ]);
    assert.match(file.errors[3].message, /line 5/);
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

  test('reports each bad row on its line', () => {
    assert.deepEqual(at(file.errors), [
      [4, 'check_digit_mismatch'],
      [5, 'missing_tracking'],
      [6, 'wrong_length'],
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
    assert.deepEqual(at(file.errors), [
      [6, 'check_digit_mismatch'],
      [7, 'not_digits'],
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

  test('rejects a bad EMS check digit, wrong length, empty and cut-off rows and a reused number', () => {
    assert.deepEqual(at(file.errors), [
      [6, 'check_digit_mismatch'],
      [7, 'wrong_length'],
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
    assert.deepEqual(at(file.errors), [
      [5, 'wrong_length'],
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

  test('reads the carrier of each row from free text', () => {
    assert.deepEqual(
      file.rows.map((r) => [r.line, r.reference, r.carrier, r.service, r.trackingNo]),
      [
        [2, '1043400001', 'yamato', null, '432109876833'],
        [3, '1043400002', 'sagawa', null, '182700456120'],
        [4, '1043400003', 'yamato', 'ネコポス', '432109876940'],
        [5, '1043400004', 'japanpost', 'ゆうパケット', '365012345670'],
        [6, '1043400005', 'other', '福山通運', '1234-5678-90'],
        [7, '1043400006', 'japanpost', null, 'EE202611221JP'],
        [8, '1043400007', 'other', 'XYZ Express', 'XYZ0001'],
        [11, '1043400010', 'yamato', null, '432109876505'],
      ],
    );
    assert.deepEqual(at(file.warnings), [[8, 'unknown_carrier']]);
  });

  test('rejects rows without carrier or order number, typos, reuse and cut-off rows', () => {
    assert.deepEqual(at(file.errors), [
      [9, 'missing_carrier'],
      [10, 'missing_reference'],
      [12, 'check_digit_mismatch'],
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
      return [...file.errors, ...file.warnings].map((p) => p.message);
    });
    assert.ok(messages.length > 20);
    for (const message of messages) {
      assert.doesNotMatch(message, /山田|佐藤|鈴木|高橋|田中|サンプル|東京都|大阪府|0000-000|03-0000|090-/, message);
    }
  });
});
