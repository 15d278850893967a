// The parser's edges: encodings, format detection, header variants, broken CSV and large files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { LABEL_FORMATS, detectLayout, parseLabelCsv } from '../../src/domain/label-csv';
import { computeMod7CheckDigit } from '../../src/domain/tracking-number';

const withCheck = (base: string) => base + computeMod7CheckDigit(base);
const utf8 = (lines: string[], eol = '\r\n') => Buffer.from(lines.join(eol) + eol, 'utf8');
const sjis = (lines: string[]) => iconv.encode(lines.join('\r\n') + '\r\n', 'cp932');
const codesAt = (problems: Array<{ line: number; code: string }>) => problems.map((p) => [p.line, p.code]);

describe('encoding', () => {
  const lines = ['お客様側管理番号,お問い合わせ番号,郵便種別', `1001,${withCheck('36501234589')},0`];

  test('reads UTF-8 without BOM', () => {
    const file = parseLabelCsv(utf8(lines));
    assert.equal(file.encoding, 'utf-8');
    assert.equal(file.format, 'japanpost-yupri');
  });

  test('reads UTF-8 with BOM and does not let the BOM spoil the first header', () => {
    const file = parseLabelCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(lines)]));
    assert.equal(file.encoding, 'utf-8-bom');
    assert.equal(file.rows[0].reference, '1001');
  });

  test('reads Shift_JIS', () => {
    const file = parseLabelCsv(sjis(lines));
    assert.equal(file.encoding, 'cp932');
    assert.deepEqual(file.rows.map((r) => [r.reference, r.service]), [['1001', 'ゆうパック']]);
  });

  test('refuses UTF-16 and Excel workbooks with a file-level error', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.join('\r\n'), 'utf16le')]);
    assert.deepEqual(codesAt(parseLabelCsv(utf16).errors), [[0, 'unsupported_encoding']]);
    const xlsx = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
    assert.deepEqual(codesAt(parseLabelCsv(xlsx).errors), [[0, 'not_csv']]);
  });

  test('reports an empty file', () => {
    const file = parseLabelCsv(Buffer.alloc(0));
    assert.deepEqual(codesAt(file.errors), [[0, 'empty_file']]);
    assert.equal(file.format, null);
  });
});

describe('format detection', () => {
  const detectionCases: Array<{ header: string; format: string | null; why: string }> = [
    { header: 'お客様管理番号,送り状種別,クール区分,伝票番号', format: 'yamato-b2', why: 'B2 columns' },
    { header: 'お問合せ送り状No.,出荷日時,お客様管理ナンバー', format: 'sagawa-ehiden2', why: 'e飛伝Ⅱ names the reference ナンバー' },
    { header: 'お問合せ送り状ＮＯ,出荷日時,お客様管理ナンバー', format: 'sagawa-ehiden2', why: 'full-width NO folds to No.' },
    { header: 'お問い合せ送り状No.,出荷日,お客様管理番号', format: 'sagawa-ehiden3', why: 'e飛伝Ⅲ names it 番号' },
    { header: 'お客様側管理番号,お問い合わせ番号', format: 'japanpost-yupri', why: 'ゆうプリR' },
    { header: 'お客様側管理番号, お問い合わせ番号 ', format: 'japanpost-yupri', why: 'spaces around names' },
    { header: 'お問い合わせ番号,お届け先郵便番号,お届け先氏名,内容品', format: 'clickpost', why: 'Click Post recipient columns' },
    { header: 'ORDER_NO,Carrier,Tracking_No', format: 'generic', why: 'generic names in any case' },
    { header: 'tracking_no,order_no,carrier', format: 'generic', why: 'generic columns in any order' },
    { header: '注文番号,配送業者,追跡番号', format: null, why: 'a layout we do not know' },
    { header: 'お客様管理番号,品名', format: null, why: 'one shared column is not enough' },
  ];
  for (const c of detectionCases) {
    test(`detects ${c.format ?? 'nothing'} from ${c.why}`, () => {
      assert.equal(detectLayout(c.header.split(','))?.format ?? null, c.format);
    });
  }

  test('names every accepted format when the file is unknown', () => {
    const file = parseLabelCsv(utf8(['注文番号,配送業者,追跡番号', '1,ヤマト,432109876505']));
    assert.deepEqual(codesAt(file.errors), [[1, 'unknown_format']]);
    for (const format of LABEL_FORMATS) assert.ok(file.errors[0].message.includes(format), format);
    assert.deepEqual(file.rows, []);
  });

  test('names the missing tracking column of a B2 file exported before printing', () => {
    const file = parseLabelCsv(utf8(['お客様管理番号,送り状種別,クール区分,出荷予定日', '1001,0,0,2026/11/20']));
    assert.equal(file.format, 'yamato-b2');
    assert.deepEqual(codesAt(file.errors), [[1, 'missing_column']]);
    assert.match(file.errors[0].message, /伝票番号/);
  });

  test('follows an explicit format and names each column it lacks', () => {
    const file = parseLabelCsv(utf8(['order_no,carrier,tracking_no', '1,ヤマト,432109876505']), { format: 'yamato-b2' });
    assert.equal(file.format, 'yamato-b2');
    assert.deepEqual(file.errors.map((e) => e.code), ['missing_column', 'missing_column']);
    assert.match(file.errors[0].message, /お客様管理番号/);
    assert.match(file.errors[1].message, /伝票番号/);
  });

  test('reads a full ゆうプリR issued-data export with 郵便種別 and the recipient block', () => {
    const file = parseLabelCsv(
      sjis([
        'お客様側管理番号,発送予定日,郵便種別,お届け先 郵便番号,お届け先 名称１,お届け先 電話番号,お問い合わせ番号',
        `2001,20261120,9,100-0001,山田 太郎,03-0000-0001,${withCheck('36501234589')}`,
        `2002,20261120,1,100-0002,佐藤 花子,03-0000-0002,${withCheck('36501234590')}`,
        `2003,20261120,7,100-0003,鈴木 一郎,03-0000-0003,${withCheck('36501234601')}`,
      ]),
    );
    assert.deepEqual(file.rows.map((r) => [r.reference, r.service]), [['2001', 'ゆうパケット'], ['2002', 'ゆうメール'], ['2003', null]]);
    assert.deepEqual(file.rows[0].recipient, { name: '山田 太郎', postcode: '1000001', phone: '0300000001' });
    assert.deepEqual(codesAt(file.warnings), [[4, 'unknown_service_code']]);
  });
});

describe('CSV shape', () => {
  const header = 'order_no,carrier,tracking_no';

  test('counts physical lines across quoted newlines, blank lines and CRLF', () => {
    const file = parseLabelCsv(
      utf8([header, `1,"ヤマト\r\n運輸",${withCheck('43210987650')}`, '', `2,"佐川\n急便",${withCheck('18270045612')}`, `3,ヤマト,${withCheck('43210987661')}`]),
    );
    // A newline inside a carrier name is a control character: those rows are held, on their first line.
    assert.deepEqual(file.held.map((r) => [r.line, r.reasons.map((reason) => reason.code)]), [[2, ['control_characters']], [5, ['control_characters']]]);
    assert.deepEqual(file.rows.map((r) => r.line), [7]);
  });

  test('accepts LF and lone-CR line endings', () => {
    const lf = parseLabelCsv(utf8([header, `1,ヤマト,${withCheck('43210987650')}`, `2,ヤマト,${withCheck('43210987661')}`], '\n'));
    assert.deepEqual(lf.rows.map((r) => r.line), [2, 3]);
    const cr = parseLabelCsv(utf8([header, `1,ヤマト,${withCheck('43210987650')}`, `2,ヤマト,${withCheck('43210987661')}`], '\r'));
    assert.deepEqual(cr.rows.map((r) => r.line), [2, 3]);
  });

  test('ignores trailing empty lines and rows of empty cells', () => {
    const file = parseLabelCsv(utf8([header, `1,ヤマト,${withCheck('43210987650')}`, ',,', ' , , ', '', '']));
    assert.equal(file.rows.length, 1);
    assert.deepEqual(file.errors, []);
  });

  test('keeps the rows before an unclosed quote and reports where it starts', () => {
    const file = parseLabelCsv(
      utf8([header, `1,ヤマト,${withCheck('43210987650')}`, '', `2,"ヤマト,${withCheck('43210987661')}`, `3,ヤマト,${withCheck('43210987672')}`]),
    );
    assert.deepEqual(file.rows.map((r) => r.line), [2]);
    assert.deepEqual(codesAt(file.errors), [[4, 'unreadable_csv']]);
  });

  test('accepts stray quotes inside unquoted fields', () => {
    const file = parseLabelCsv(utf8([`${header},service`, `1,ヤマト,${withCheck('43210987650')},12"箱`]));
    assert.deepEqual(file.errors, []);
    assert.equal(file.rows[0].service, '12"箱');
  });

  test('accepts rows longer than the header and empty header cells at the end', () => {
    const file = parseLabelCsv(utf8([`${header},,`, `1,ヤマト,${withCheck('43210987650')}`, `2,ヤマト,${withCheck('43210987661')},x,y,z`]));
    assert.deepEqual(file.rows.map((r) => r.reference), ['1', '2']);
  });

  test('holds numbers Excel turned into scientific notation', () => {
    const file = parseLabelCsv(utf8([header, '1,ヤマト,4.32109E+11', `1.04E+09,ヤマト,${withCheck('43210987661')}`]));
    assert.deepEqual(file.held.map((h) => [h.line, h.reasons.map((r) => `${r.code}:${r.field}`)]), [
      [2, ['excel_scientific_notation:trackingNo']],
      [3, ['excel_scientific_notation:orderNo']],
    ]);
    assert.deepEqual(file.rows, []);
  });

  test('reads a 5,000-row file completely and finds a duplicate at its end', () => {
    const lines = [header];
    for (let i = 0; i < 5000; i += 1) lines.push(`${1_000_000 + i},ヤマト運輸,${withCheck(String(43_000_000_000 + i))}`);
    lines.push(`9999999,ヤマト運輸,${withCheck('43000000007')}`);
    const file = parseLabelCsv(utf8(lines));
    assert.equal(file.rows.length, 5000);
    assert.equal(file.rows[4999].line, 5001);
    assert.deepEqual(codesAt(file.errors), [[5002, 'duplicate_tracking']]);
    assert.match(file.errors[0].message, /line 9/);
  });
});
