import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { carrierFromName, qoo10CarrierName, serviceFromName } from '../../src/domain/carrier-names';
import type { CarrierId } from '../../src/domain/types';

describe('qoo10CarrierName', () => {
  const defaults: Array<[CarrierId, string | null, string]> = [
    ['yamato', '宅急便', 'ヤマト宅急便'],
    ['yamato', '宅急便コレクト', 'ヤマト宅急便'],
    ['yamato', '宅急便コンパクト', 'ヤマト宅急便'],
    ['yamato', 'ネコポス', 'ネコポス'],
    ['yamato', 'DM便', 'クロネコDM便'],
    ['yamato', null, 'ヤマト宅急便'],
    ['yamato', '未知のサービス', 'ヤマト宅急便'],
    ['sagawa', null, '佐川急便'],
    ['sagawa', '飛脚宅配便', '佐川急便'],
    ['japanpost', 'ゆうパック', 'ゆうパック'],
    ['japanpost', 'ゆうパケット', 'ゆうパケット'],
    ['japanpost', 'クリックポスト', 'クリックポスト'],
    ['japanpost', 'ゆうメール', 'ゆうメール'],
    ['japanpost', null, 'ゆうパック'],
    ['other', '福山通運', '福山通運'],
    ['other', null, 'その他'],
    ['other', ' XYZ Express ', 'XYZ Express'],
  ];
  for (const [carrier, service, expected] of defaults) {
    test(`sends ${expected} for ${carrier} ${service ?? '(no service)'}`, () => {
      assert.equal(qoo10CarrierName(carrier, service), expected);
    });
  }

  test('prefers a shop override for the service, then for the carrier, then the default', () => {
    const overrides = { 'yamato:ネコポス': 'ネコポス（ヤマト）', yamato: 'ヤマト運輸', 'japanpost:ゆうメール': '日本郵便' };
    assert.equal(qoo10CarrierName('yamato', 'ネコポス', overrides), 'ネコポス（ヤマト）');
    assert.equal(qoo10CarrierName('yamato', '宅急便', overrides), 'ヤマト運輸');
    assert.equal(qoo10CarrierName('japanpost', 'ゆうメール', overrides), '日本郵便');
    assert.equal(qoo10CarrierName('japanpost', 'ゆうパック', overrides), 'ゆうパック');
  });

  test('matches a service written in full-width or with spaces', () => {
    assert.equal(qoo10CarrierName('yamato', 'ＤＭ便 '), 'クロネコDM便');
  });
});

describe('carrierFromName', () => {
  const names: Array<[string, CarrierId | null]> = [
    ['ヤマト運輸', 'yamato'],
    ['クロネコヤマト', 'yamato'],
    ['Yamato Transport', 'yamato'],
    ['ＹＡＭＡＴＯ', 'yamato'],
    ['ネコポス', 'yamato'],
    ['クロネコゆうパケット', 'yamato'],
    ['佐川急便', 'sagawa'],
    ['SAGAWA', 'sagawa'],
    ['飛脚ゆうパケット便', 'sagawa'],
    ['日本郵便', 'japanpost'],
    ['ゆうパック', 'japanpost'],
    ['Japan Post', 'japanpost'],
    ['クリックポスト', 'japanpost'],
    ['EMS', 'japanpost'],
    ['福山通運', 'other'],
    ['西濃運輸', 'other'],
    ['Seino', 'other'],
    ['UPS', 'other'],
    ['Groups Logistics', null],
    ['', null],
    ['配送業者A', null],
  ];
  for (const [text, expected] of names) {
    test(`reads "${text}" as ${expected ?? 'unknown'}`, () => {
      assert.equal(carrierFromName(text), expected);
    });
  }
});

describe('serviceFromName', () => {
  test('finds the service a carrier name stands for, and none for a plain carrier name', () => {
    assert.equal(serviceFromName('yamato', 'ネコポス'), 'ネコポス');
    assert.equal(serviceFromName('yamato', 'クロネコDM便'), 'DM便');
    assert.equal(serviceFromName('yamato', 'ヤマト宅急便'), null);
    assert.equal(serviceFromName('japanpost', 'ゆうパケット'), 'ゆうパケット');
    assert.equal(serviceFromName('japanpost', '日本郵便'), null);
    assert.equal(serviceFromName('other', '福山通運'), null);
  });
});
