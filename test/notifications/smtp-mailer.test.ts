import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MailDeliveryError } from '../../src/notifications/mailer';
import { createMailer, safeSmtpErrorMessage, SmtpMailer } from '../../src/notifications/smtp-mailer';
import { headerOf, startTestSmtpServer, textBodyOf, type TestSmtpServer } from './smtp-test-server';

const PASSWORD = 'p@ss w0rd/secret';

describe('safeSmtpErrorMessage', () => {
  const url = `smtp://alerts:${encodeURIComponent(PASSWORD)}@mail.example.test:587`;

  test('keeps the code, the reply code and the server text', () => {
    const error = Object.assign(new Error('Message failed: 554 rejected'), { code: 'EMESSAGE', responseCode: 554 });
    assert.equal(safeSmtpErrorMessage(error, url), 'EMESSAGE 554 Message failed: 554 rejected');
  });

  test('never repeats the URL or the password in any form', () => {
    const plain = Buffer.from(`\u0000alerts\u0000${PASSWORD}`).toString('base64');
    const error = new Error(`cannot reach ${url}; tried ${PASSWORD} and ${encodeURIComponent(PASSWORD)} (${plain}) via smtps://x:y@other`);
    const message = safeSmtpErrorMessage(error, url);
    assert.doesNotMatch(message, /w0rd|secret|p%40ss/);
    assert.ok(!message.includes(plain));
    assert.doesNotMatch(message, /x:y@/);
    assert.match(message, /\[redacted\]/);
  });
});

describe('createMailer', () => {
  test('is null unless both an SMTP URL and a recipient are configured', () => {
    assert.equal(createMailer({ smtpUrl: null, to: ['a@example.test'], from: 'cg@example.test' }), null);
    assert.equal(createMailer({ smtpUrl: 'smtp://127.0.0.1:2525', to: [], from: 'cg@example.test' }), null);
    const mailer = createMailer({ smtpUrl: 'smtp://127.0.0.1:2525', to: ['a@example.test'], from: 'cg@example.test' });
    assert.ok(mailer instanceof SmtpMailer);
    mailer.close();
  });
});

describe('SmtpMailer against a real SMTP server', () => {
  let server: TestSmtpServer;
  before(async () => {
    server = await startTestSmtpServer();
  });
  after(async () => {
    await server.close();
  });

  test('delivers a Japanese message whose subject and body decode back exactly', async () => {
    const mailer = new SmtpMailer(server.url('alerts', PASSWORD), 'cancel-guard <cg@example.test>');
    try {
      await mailer.send({ to: ['seller@example.test', 'ops@example.test'], subject: '【警告】キャンセル率が5.00 %に達しました', text: '算入されるキャンセル: 5 件\n注文数: 100 件' });
    } finally {
      mailer.close();
    }
    const raw = server.messages.at(-1)!;
    assert.equal(headerOf(raw, 'Subject'), '【警告】キャンセル率が5.00 %に達しました');
    assert.match(headerOf(raw, 'To') ?? '', /seller@example\.test, ops@example\.test/);
    assert.match(headerOf(raw, 'From') ?? '', /cg@example\.test/);
    assert.equal(textBodyOf(raw).replace(/\r\n/g, '\n').trimEnd(), '算入されるキャンセル: 5 件\n注文数: 100 件');
  });

  test('puts a Reply-To header on the message when one is given, and none otherwise', async () => {
    const mailer = new SmtpMailer(server.url('alerts', PASSWORD), 'Aozora <buyers@example.test>');
    try {
      await mailer.send({ to: ['taro@example.jp'], subject: 'ご注文について', text: '本文', replyTo: 'support@aozora.example' });
      await mailer.send({ to: ['taro@example.jp'], subject: 'ご注文について', text: '本文' });
    } finally {
      mailer.close();
    }
    const [withReply, without] = server.messages.slice(-2);
    assert.match(headerOf(withReply!, 'Reply-To') ?? '', /support@aozora\.example/);
    assert.equal(headerOf(without!, 'Reply-To'), null);
  });

  test('a refusal becomes a MailDeliveryError with the reply code and no password', async () => {
    server.rejecting = true;
    const mailer = new SmtpMailer(server.url('alerts', PASSWORD), 'cg@example.test');
    try {
      await assert.rejects(mailer.send({ to: ['a@example.test'], subject: 's', text: 't' }), (error: unknown) => {
        assert.ok(error instanceof MailDeliveryError);
        assert.equal(error.responseCode, 554);
        assert.match(error.message, /554/);
        assert.doesNotMatch(error.message, /w0rd|secret/);
        return true;
      });
    } finally {
      server.rejecting = false;
      mailer.close();
    }
  });

  test('an unreachable server is a MailDeliveryError without the URL', async () => {
    const closed = await startTestSmtpServer();
    const url = closed.url('alerts', PASSWORD);
    await closed.close();
    const mailer = new SmtpMailer(url, 'cg@example.test', { connectionTimeoutMs: 2000 });
    try {
      await assert.rejects(mailer.send({ to: ['a@example.test'], subject: 's', text: 't' }), (error: unknown) => {
        assert.ok(error instanceof MailDeliveryError);
        assert.doesNotMatch(error.message, /w0rd|secret|alerts:/);
        return true;
      });
    } finally {
      mailer.close();
    }
  });
});
