import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeMod7CheckDigit,
  computeS10CheckDigit,
  isS10TrackingNumber,
  validateTrackingNumber,
  type TrackingSeverity,
} from '../../src/domain/tracking-number';
import type { CarrierId } from '../../src/domain/types';

// Made-up numbers whose check digits were computed by hand (base mod 7; S10 weights 8,6,4,2,3,5,9,7).
const YAMATO_OK = '432109876505';
const SAGAWA_OK = '182700456120';
const JP_12_OK = '365012345891';
const JP_11_OK = '18270045673';

interface Case {
  name: string;
  carrier: CarrierId;
  raw: string;
  severity: TrackingSeverity;
  normalized: string;
  codes: string[];
}

const cases: Case[] = [
  { name: 'a valid Yamato number', carrier: 'yamato', raw: YAMATO_OK, severity: 'ok', normalized: YAMATO_OK, codes: [] },
  { name: 'Yamato printed with hyphens', carrier: 'yamato', raw: '4321-0987-6505', severity: 'ok', normalized: YAMATO_OK, codes: [] },
  { name: 'Yamato typed in full-width digits', carrier: 'yamato', raw: '４３２１０９８７６５０５', severity: 'ok', normalized: YAMATO_OK, codes: [] },
  { name: 'Yamato with spaces, an ideographic space and padding', carrier: 'yamato', raw: ' 4321 0987\u30006505 ', severity: 'ok', normalized: YAMATO_OK, codes: [] },
  { name: 'Yamato with IME long-vowel marks as hyphens', carrier: 'yamato', raw: '4321ー0987ｰ6505', severity: 'ok', normalized: YAMATO_OK, codes: [] },
  { name: 'Yamato with a full-width hyphen', carrier: 'yamato', raw: '4321－0987－6505', severity: 'ok', normalized: YAMATO_OK, codes: [] },
  { name: 'Yamato with a wrong check digit', carrier: 'yamato', raw: '432109876506', severity: 'error', normalized: '432109876506', codes: ['check_digit_mismatch'] },
  { name: 'Yamato ending in 7, never a mod-7 digit', carrier: 'yamato', raw: '432109876507', severity: 'error', normalized: '432109876507', codes: ['check_digit_mismatch'] },
  { name: 'Yamato ending in 9', carrier: 'yamato', raw: '432109876509', severity: 'error', normalized: '432109876509', codes: ['check_digit_mismatch'] },
  { name: 'Yamato with 11 digits', carrier: 'yamato', raw: '43210987650', severity: 'error', normalized: '43210987650', codes: ['wrong_length'] },
  { name: 'Yamato with 13 digits', carrier: 'yamato', raw: '4321098765050', severity: 'error', normalized: '4321098765050', codes: ['wrong_length'] },
  { name: 'Yamato with a letter', carrier: 'yamato', raw: 'A32109876505', severity: 'error', normalized: 'A32109876505', codes: ['not_digits'] },
  { name: 'an empty cell', carrier: 'yamato', raw: '', severity: 'error', normalized: '', codes: ['empty'] },
  { name: 'only separators', carrier: 'sagawa', raw: ' - ー ', severity: 'error', normalized: '', codes: ['empty'] },
  { name: 'a valid Sagawa number', carrier: 'sagawa', raw: SAGAWA_OK, severity: 'ok', normalized: SAGAWA_OK, codes: [] },
  { name: 'Sagawa with a wrong check digit', carrier: 'sagawa', raw: '182700456121', severity: 'error', normalized: '182700456121', codes: ['check_digit_mismatch'] },
  { name: 'Sagawa with 10 digits', carrier: 'sagawa', raw: '1827004561', severity: 'error', normalized: '1827004561', codes: ['wrong_length'] },
  { name: 'a valid 12-digit Japan Post number', carrier: 'japanpost', raw: JP_12_OK, severity: 'ok', normalized: JP_12_OK, codes: [] },
  { name: 'a 12-digit Japan Post mismatch, only a warning', carrier: 'japanpost', raw: '365012345903', severity: 'warning', normalized: '365012345903', codes: ['check_digit_unconfirmed'] },
  { name: 'a valid 11-digit Japan Post number', carrier: 'japanpost', raw: '1827-00-4567-3', severity: 'ok', normalized: JP_11_OK, codes: [] },
  { name: 'an 11-digit Japan Post mismatch, only a warning', carrier: 'japanpost', raw: '18270045674', severity: 'warning', normalized: '18270045674', codes: ['check_digit_unconfirmed'] },
  { name: 'Japan Post with 10 digits', carrier: 'japanpost', raw: '1827004567', severity: 'error', normalized: '1827004567', codes: ['wrong_length'] },
  { name: 'Japan Post with 13 digits', carrier: 'japanpost', raw: '3650123458910', severity: 'error', normalized: '3650123458910', codes: ['wrong_length'] },
  { name: 'Japan Post with letters that are not S10', carrier: 'japanpost', raw: 'JP365012345891', severity: 'error', normalized: 'JP365012345891', codes: ['not_digits'] },
  { name: 'a valid EMS (S10) number', carrier: 'japanpost', raw: 'EE123456785JP', severity: 'ok', normalized: 'EE123456785JP', codes: [] },
  { name: 'S10 in full-width lower case with spaces', carrier: 'japanpost', raw: 'ｅｅ １２３４５６７８５ ｊｐ', severity: 'ok', normalized: 'EE123456785JP', codes: [] },
  { name: 'S10 with a wrong check digit', carrier: 'japanpost', raw: 'EE123456784JP', severity: 'error', normalized: 'EE123456784JP', codes: ['check_digit_mismatch'] },
  { name: 'S10 recognised although the carrier says Yamato', carrier: 'yamato', raw: 'RR123456785JP', severity: 'ok', normalized: 'RR123456785JP', codes: [] },
  { name: 'S10 recognised for another carrier, normalized', carrier: 'other', raw: 'cp 202611221 jp', severity: 'ok', normalized: 'CP202611221JP', codes: [] },
  { name: 'another carrier keeps hyphens and case', carrier: 'other', raw: ' Ab-123 456 ', severity: 'ok', normalized: 'Ab-123456', codes: [] },
  { name: 'another carrier with kanji', carrier: 'other', raw: '福山123', severity: 'error', normalized: '福山123', codes: ['invalid_characters'] },
  { name: 'another carrier at exactly 50 characters', carrier: 'other', raw: 'A'.repeat(50), severity: 'ok', normalized: 'A'.repeat(50), codes: [] },
  { name: 'another carrier over 50 characters', carrier: 'other', raw: 'A'.repeat(51), severity: 'error', normalized: 'A'.repeat(51), codes: ['too_long'] },
  { name: 'a 51-digit paste for Yamato', carrier: 'yamato', raw: '1'.repeat(51), severity: 'error', normalized: '1'.repeat(51), codes: ['too_long'] },
];

describe('validateTrackingNumber', () => {
  for (const c of cases) {
    test(`${c.carrier}: ${c.name}`, () => {
      const result = validateTrackingNumber(c.carrier, c.raw);
      assert.equal(result.severity, c.severity);
      assert.equal(result.ok, c.severity !== 'error');
      assert.equal(result.normalized, c.normalized);
      assert.deepEqual(result.problems.map((p) => p.code), c.codes);
    });
  }

  test('names the expected check digit in the message', () => {
    const result = validateTrackingNumber('yamato', '432109876506');
    assert.match(result.problems[0].message, /should be 5/);
  });
});

describe('computeMod7CheckDigit', () => {
  test('equals the base mod 7 computed with BigInt, for bases beyond float precision', () => {
    let base = 12345678901n;
    for (let i = 0; i < 200; i += 1) {
      base = (base * 48271n + 11n) % 100000000000n;
      const text = base.toString().padStart(11, '9');
      assert.equal(computeMod7CheckDigit(text), Number(BigInt(text) % 7n), text);
    }
  });

  test('gives the digits of the sample numbers', () => {
    assert.equal(computeMod7CheckDigit('43210987650'), 5);
    assert.equal(computeMod7CheckDigit('99999999999'), Number(99999999999n % 7n));
  });

  test('refuses input that is not digits', () => {
    assert.throws(() => computeMod7CheckDigit('12a'), RangeError);
    assert.throws(() => computeMod7CheckDigit(''), RangeError);
  });
});

describe('computeS10CheckDigit', () => {
  const s10Cases = [
    { serial: '47312482', check: 9, why: 'the UPU S10 worked example (sum 200, r = 2)' },
    { serial: '12345678', check: 5, why: 'sum 204, r = 6' },
    { serial: '00000000', check: 5, why: 'r = 0 gives 5' },
    { serial: '02000000', check: 0, why: 'r = 1 gives 0' },
  ];
  for (const c of s10Cases) {
    test(`computes ${c.check} for ${c.serial}: ${c.why}`, () => {
      assert.equal(computeS10CheckDigit(c.serial), c.check);
    });
  }

  test('refuses anything but 8 digits', () => {
    assert.throws(() => computeS10CheckDigit('1234567'), RangeError);
    assert.throws(() => computeS10CheckDigit('1234567A'), RangeError);
  });

  test('recognises only the normalized S10 shape', () => {
    assert.equal(isS10TrackingNumber('EE123456785JP'), true);
    assert.equal(isS10TrackingNumber('ee123456785jp'), false);
    assert.equal(isS10TrackingNumber('E123456785JP'), false);
  });
});
