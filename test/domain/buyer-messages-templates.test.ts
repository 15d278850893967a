import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PLACEHOLDER_DOCS,
  PLACEHOLDER_NAMES,
  renderTemplate,
  TEMPLATE_KEYS,
  TEMPLATE_SLOTS,
  validateTemplate,
  type MessageTemplate,
  type TemplateProblem,
} from '../../src/domain/buyer-messages';

/** A valid 'accepted' template; cases add one defect each. */
const ACCEPTED_BODY = '{{buyerName}}\n{{orderNo}} {{itemTitle}}\n{{refundAmount}}\n{{refundTiming}}\n{{signature}}';

function problemsOf(
  template: Partial<MessageTemplate>,
  key: (typeof TEMPLATE_KEYS)[number] = 'accepted',
): TemplateProblem[] {
  const result = validateTemplate(key, { subject: 'キャンセル {{orderNo}}', body: ACCEPTED_BODY, ...template });
  return result.ok ? [] : result.problems;
}

describe('validateTemplate', () => {
  test('names an unknown placeholder and suggests the closest allowed one', () => {
    const [problem, ...rest] = problemsOf({ body: ACCEPTED_BODY.replace('{{buyerName}}', '{{buyerNmae}}') });
    assert.deepEqual(rest, []);
    assert.equal(problem?.code, 'unknown_placeholder');
    assert.equal(problem?.placeholder, 'buyerNmae');
    assert.equal(problem?.suggestion, 'buyerName');
    assert.equal(
      problem?.message,
      'body line 1, column 1: unknown placeholder {{buyerNmae}} (did you mean {{buyerName}}?)',
    );
  });

  test('suggests the right case for a miscapitalised name', () => {
    const [problem] = problemsOf({ subject: 'キャンセル {{OrderNo}}' });
    assert.equal(problem?.suggestion, 'orderNo');
    assert.equal(problem?.part, 'subject');
  });

  test('names every unknown placeholder, and suggests nothing for a name far from all', () => {
    const problems = problemsOf({ body: `${ACCEPTED_BODY}\n{{discountCode}} {{ordrNo}}` });
    assert.deepEqual(
      problems.map((p) => [p.placeholder, p.suggestion, p.line, p.column]),
      [
        ['discountCode', undefined, 6, 1],
        ['ordrNo', 'orderNo', 6, 18],
      ],
    );
    assert.ok(!problems[0]?.message.includes('did you mean'));
  });

  test('rejects a placeholder that belongs to another outcome', () => {
    const [problem] = problemsOf({ body: `${ACCEPTED_BODY}\n{{trackingNo}}` });
    assert.equal(problem?.code, 'placeholder_not_allowed');
    assert.match(problem?.message ?? '', /\{\{trackingNo\}\} is not available in accepted messages/);
  });

  const malformed: [string, string][] = [
    ['an unclosed {{', '{{orderNo'],
    ['a }} with no opening', 'orderNo}}'],
    ['single braces', '{orderNo}'],
    ['an empty slot', '{{ }}'],
    ['a name with a hyphen', '{{order-no}}'],
    ['a name with a space', '{{order no}}'],
    ['a nested opening', '{{ {{orderNo}}'],
    ['full-width braces', '｛｛orderNo｝｝'],
  ];
  for (const [name, line] of malformed) {
    test(`rejects ${name} as malformed braces, with its position`, () => {
      const problems = problemsOf({ body: `${ACCEPTED_BODY}\n${line}` });
      assert.ok(problems.length > 0);
      assert.ok(
        problems.every((p) => p.code === 'malformed_braces' && p.line === 6),
        JSON.stringify(problems),
      );
      assert.match(problems[0]?.message ?? '', /^body line 6, column \d+: /);
    });
  }

  test('accepts spaces inside the braces', () => {
    assert.deepEqual(validateTemplate('accepted', { subject: '{{ orderNo }}', body: ACCEPTED_BODY }), { ok: true });
  });

  test('rejects a template that drops a fact its outcome must state', () => {
    const problems = problemsOf(
      { subject: 'お知らせ', body: '{{buyerName}}\n{{orderNo}}\n{{shopName}}' },
      'refused-shipped',
    );
    assert.deepEqual(
      problems.map((p) => [p.code, p.placeholder]),
      [
        ['missing_placeholder', 'itemTitle'],
        ['missing_placeholder', 'carrier'],
        ['missing_placeholder', 'trackingNo'],
      ],
    );
  });

  test('keeps paragraphs out of the subject and the subject on one line', () => {
    assert.deepEqual(
      problemsOf({ subject: '{{refundTiming}}' }).map((p) => p.code),
      ['paragraph_in_subject'],
    );
    assert.deepEqual(
      problemsOf({ subject: 'キャンセル\n{{orderNo}}' }).map((p) => p.code),
      ['multiline_subject'],
    );
  });

  test('rejects 様 after {{buyerName}}, which already carries it', () => {
    const problems = problemsOf({ body: ACCEPTED_BODY.replace('{{buyerName}}', '{{buyerName}}様') });
    assert.deepEqual(
      problems.map((p) => p.code),
      ['doubled_honorific'],
    );
  });

  test('documents every placeholder and allows only documented ones', () => {
    for (const name of PLACEHOLDER_NAMES)
      assert.ok(PLACEHOLDER_DOCS[name].ja !== '' && PLACEHOLDER_DOCS[name].en !== '');
    for (const key of TEMPLATE_KEYS) {
      const { allowed, mustAppear } = TEMPLATE_SLOTS[key];
      assert.ok(
        mustAppear.every((name) => allowed.includes(name)),
        key,
      );
    }
  });
});

describe('renderTemplate', () => {
  const values = {
    buyerName: '山田様',
    orderNo: '1000000001',
    itemTitle: 'マグ',
    refundAmount: '2,400円',
    refundTiming: '返金します。',
    signature: 'マグ工房',
  };

  test('fills every slot', () => {
    const result = renderTemplate('accepted', { subject: 'キャンセル {{orderNo}}', body: ACCEPTED_BODY }, values);
    assert.deepEqual(result, {
      ok: true,
      subject: 'キャンセル 1000000001',
      body: '山田様\n1000000001 マグ\n2,400円\n返金します。\nマグ工房',
    });
  });

  test('fails with the missing names instead of leaving a gap', () => {
    const { refundTiming: _timing, orderNo: _orderNo, ...partial } = values;
    const result = renderTemplate('accepted', { subject: 'キャンセル {{orderNo}}', body: ACCEPTED_BODY }, partial);
    assert.deepEqual(result, { ok: false, missing: ['orderNo', 'refundTiming'], problems: [] });
  });

  test('drops the line of an empty optional paragraph and closes the gap', () => {
    const template = {
      subject: 'お詫び {{orderNo}}',
      body: 'a {{orderNo}} {{itemTitle}}\n\n{{faultExplanation}}\n\n{{alternativeOffer}}\n\n{{restockOffer}}\n\n{{couponOffer}}\n\n{{refundAmount}} {{refundTiming}}',
    };
    const result = renderTemplate('seller-fault', template, {
      ...values,
      faultExplanation: '当店の落ち度です。',
      alternativeOffer: '',
      restockOffer: '',
      couponOffer: 'クーポン',
    });
    assert.ok(result.ok);
    assert.equal(result.body, 'a 1000000001 マグ\n\n当店の落ち度です。\n\nクーポン\n\n2,400円 返金します。');
  });

  test('removes an empty optional paragraph’s line instead of leaving a blank one', () => {
    const template = {
      subject: '{{orderNo}}',
      body: 'a {{orderNo}} {{itemTitle}} {{faultExplanation}} {{refundAmount}} {{refundTiming}}\n{{alternativeOffer}}\n{{restockOffer}}\nb {{couponOffer}}\nc',
    };
    const result = renderTemplate('seller-fault', template, {
      ...values,
      faultExplanation: 'f',
      alternativeOffer: '',
      restockOffer: '',
      couponOffer: '',
    });
    assert.ok(result.ok);
    assert.equal(result.body, 'a 1000000001 マグ f 2,400円 返金します。\nb \nc', 'a line with other text stays');
  });

  test('inserts values as written, never expanding braces inside them', () => {
    const result = renderTemplate(
      'accepted',
      { subject: '{{itemTitle}}', body: ACCEPTED_BODY },
      { ...values, itemTitle: 'Mug {{orderNo}}\nL' },
    );
    assert.ok(result.ok);
    assert.equal(result.subject, 'Mug {{orderNo}} L', 'subject stays on one line');
    assert.ok(result.body.includes('1000000001 Mug {{orderNo}}\nL'));
  });

  test('refuses to render an invalid template', () => {
    const result = renderTemplate('accepted', { subject: '{{orderNo}}', body: '{{buyerNmae}}' }, values);
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.problems.some((p) => p.placeholder === 'buyerNmae'));
  });
});
