// verify-live's report as text for the seller (Japanese first). The JSON form is the report object itself.
import type { FactVerdict } from '../domain/qoo10-facts';
import { formatJst } from '../domain/jst-calendar';
import type { VerifyLiveReport } from './verify-live-service';

const VERDICT_TEXT: Record<FactVerdict, string> = {
  confirmed: '確認済み',
  contradicted: '食い違い',
  unknown: '不明',
};

export function formatVerifyLiveReport(report: VerifyLiveReport): string {
  const lines = [
    `Qoo10 の動作確認 — ${report.shop.name}（${report.shop.id}）`,
    `実行: ${formatJst(new Date(report.ranAt))} JST　${report.mode === 'guided' ? '書き込みの確認あり' : '読み取りのみ（何も書き込んでいません）'}`,
    '',
  ];
  for (const f of report.findings) {
    lines.push(`[${VERDICT_TEXT[f.verdict]}] ${f.statement}`, `    根拠: ${f.evidence}`);
  }
  const o = report.observations;
  lines.push('', `読み取り: ${o.calls} 回`, ...o.envelopes.map((e) => `    ${e}`));
  if (o.failures.length > 0) {
    lines.push('エラーで答えた呼び出し（期間の上限を確かめる -10003 は想定どおり）:', ...o.failures.map((e) => `    ${e}`));
  }
  for (const w of report.writes) {
    lines.push(`書き込みの確認 ${w.check}（注文 ${w.orderNo}）: ${w.sent ? '送信しました' : '送っていません'} — ${w.note}`);
  }
  lines.push('', '結果はこのショップの記録として保存しました（GET /api/shops/:id/qoo10-facts）。');
  return lines.join('\n');
}
