// The one row check of every tracking intake: what is held for a person and what goes to Qoo10.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkShipmentRow, confirmableAsIs } from '../../src/domain/shipment-row-check';

const row = (carrier: string, trackingNo: string, orderNo = '1043000001', service = '') => ({ orderNo, carrier, service, trackingNo });
const codes = (check: ReturnType<typeof checkShipmentRow>) => (check.held ? check.reasons.map((r) => `${r.code}:${r.field}`) : []);

describe('checkShipmentRow', () => {
  const cases: Array<[string, ReturnType<typeof row>, string[]]> = [
    ['a Yamato number with a good check digit', row('ヤマト運輸', '432109876505'), []],
    ['full-width digits and hyphens', row('ヤマト', '４３２１－０９８７－６５０５'), []],
    ['a Yamato check-digit typo', row('ヤマト', '432109876506'), ['check_digit_mismatch:trackingNo']],
    ['a Sagawa number of the wrong length', row('佐川急便', '18270045612'), ['wrong_length:trackingNo']],
    ['an unknown carrier', row('ABC便', '12345'), ['unknown_carrier:carrier']],
    ['an empty carrier', row('  ', '432109876505'), ['unknown_carrier:carrier']],
    ['a formula as carrier', row('=1+1', '432109876505'), ['formula_text:carrier']],
    ['a full-width ＝ folds to a formula', row('ヤマト', '＝432109876505'), ['formula_text:trackingNo']],
    ['a formula as order number', row('ヤマト', '432109876505', '+1043000001'), ['formula_text:orderNo']],
    ['@ in the service', row('ヤマト', '432109876505', '1043000001', '@SUM(A1)'), ['formula_text:service']],
    ['a C1 control character', row('ヤマト\u0085運輸', '432109876505'), ['control_characters:carrier']],
    ['a zero-width space in the number', row('ヤマト', '4321098\u200b76505'), ['control_characters:trackingNo']],
    ['U+FFFD in the carrier', row('ヤマ\ufffd運輸', '432109876505'), ['garbled_text:carrier']],
    ['UTF-8 read as CP932', row('繝､繝槭ヨ驕玖ｼｸ', '432109876505'), ['garbled_text:carrier']],
  ];
  for (const [why, input, expected] of cases) {
    test(`${expected.length === 0 ? 'accepts' : 'holds'} ${why}`, () => {
      assert.deepEqual(codes(checkShipmentRow(input)), expected);
    });
  }

  test('a Japan Post number with a doubtful check digit stays a warning for a recognised Japan Post carrier', () => {
    const check = checkShipmentRow(row('ゆうパック', '365012345904'));
    assert.equal(check.held, false);
    assert.deepEqual(check.held ? [] : check.warnings.map((w) => w.code), ['check_digit_unconfirmed']);
  });

  test('the same number under an unknown carrier is held, not warned', () => {
    assert.deepEqual(codes(checkShipmentRow(row('ZZ Post', '365012345904'))), ['unknown_carrier:carrier']);
  });

  test('a confirmed unknown carrier is sent as written; a garbled one cannot be confirmed', () => {
    const confirmed = checkShipmentRow(row('ABC便', 'ABC-123'), { carrierConfirmed: true });
    assert.deepEqual(confirmed.held ? null : [confirmed.carrier, confirmed.service, confirmed.trackingNo], ['other', 'ABC便', 'ABC-123']);
    const garbled = checkShipmentRow(row('AB\ufffd便', 'ABC-123'), { carrierConfirmed: true });
    assert.ok(garbled.held && !confirmableAsIs(garbled.reasons));
  });

  test('a layout\'s fixed carrier is not read from text, and its service is kept', () => {
    const check = checkShipmentRow(row('', '432109876505'), { fixedCarrier: 'yamato', fixedService: 'ネコポス' });
    assert.deepEqual(check.held ? null : [check.carrier, check.service], ['yamato', 'ネコポス']);
  });
});
