// Realistic-looking catalogue, payment methods, carriers and buyers for generated scenarios. Invented data:
// buyer emails use example.jp (RFC 2606-style reserved), names are common Japanese names.
import { pick, pickWeighted, randomInt, type Random } from './prng';

export interface SampleItem {
  itemNo: string;
  sellerItemCode: string;
  title: string;
  priceYen: number;
  options: readonly string[];
}

export const SAMPLE_ITEMS: readonly SampleItem[] = [
  { itemNo: '912345001', sellerItemCode: 'COS-SERUM-30', title: '【公式】ビタミンC 美容液 30ml 毛穴ケア', priceYen: 2480, options: [] },
  { itemNo: '912345002', sellerItemCode: 'COS-MASK-30P', title: 'シートマスク 30枚入り 大容量 保湿 ヒアルロン酸', priceYen: 1580, options: [] },
  { itemNo: '912345003', sellerItemCode: 'COS-TINT-05', title: '韓国コスメ リップティント 全8色', priceYen: 1290, options: ['01 コーラル', '03 ローズ', '05 ブリック'] },
  { itemNo: '912345004', sellerItemCode: 'COS-SUN-50', title: '日焼け止め SPF50+ PA++++ ジェル 80g', priceYen: 1680, options: [] },
  { itemNo: '912345005', sellerItemCode: 'COS-CUSH-21', title: 'クッションファンデーション 本体+レフィル', priceYen: 2980, options: ['21号', '23号'] },
  { itemNo: '912345006', sellerItemCode: 'FSH-TEE-OS', title: 'オーバーサイズ Tシャツ 綿100% 男女兼用', priceYen: 1990, options: ['ホワイト/M', 'ブラック/L', 'グレー/XL'] },
  { itemNo: '912345007', sellerItemCode: 'FSH-KNIT-CARD', title: 'ニットカーディガン 春秋 レディース', priceYen: 3480, options: ['アイボリー', 'ベージュ'] },
  { itemNo: '912345008', sellerItemCode: 'FSH-SNK-WHT', title: '厚底スニーカー ホワイト 軽量', priceYen: 4280, options: ['23.0cm', '24.0cm', '25.0cm'] },
  { itemNo: '912345009', sellerItemCode: 'FSH-BAG-TOTE', title: '大容量 トートバッグ A4対応 撥水', priceYen: 2680, options: [] },
  { itemNo: '912345010', sellerItemCode: 'FSH-SOCK-10P', title: '靴下 10足セット くるぶし丈', priceYen: 980, options: [] },
  { itemNo: '912345011', sellerItemCode: 'FD-RICE-5KG', title: '令和6年産 新潟県産コシヒカリ 5kg', priceYen: 3980, options: [] },
  { itemNo: '912345012', sellerItemCode: 'FD-NUTS-1KG', title: '無塩 ミックスナッツ 1kg チャック付き', priceYen: 2380, options: [] },
  { itemNo: '912345013', sellerItemCode: 'FD-TEA-100', title: '静岡県産 深蒸し茶 ティーバッグ 100包', priceYen: 1480, options: [] },
  { itemNo: '912345014', sellerItemCode: 'FD-COFFEE-1KG', title: 'コーヒー豆 1kg 中深煎り 自家焙煎', priceYen: 2780, options: ['豆のまま', '中挽き'] },
  { itemNo: '912345015', sellerItemCode: 'FD-KIMCHI-1KG', title: '本場 白菜キムチ 1kg 冷蔵便', priceYen: 1680, options: [] },
  { itemNo: '912345016', sellerItemCode: 'EL-CBL-USBC', title: 'USB-C ケーブル 2m 2本セット 急速充電', priceYen: 990, options: [] },
  { itemNo: '912345017', sellerItemCode: 'EL-PB-10000', title: 'モバイルバッテリー 10000mAh 軽量 PSE認証', priceYen: 2980, options: ['ブラック', 'ホワイト'] },
  { itemNo: '912345018', sellerItemCode: 'EL-EAR-BT5', title: 'ワイヤレスイヤホン Bluetooth5.3 ノイズキャンセリング', priceYen: 4980, options: [] },
  { itemNo: '912345019', sellerItemCode: 'EL-CASE-IP15', title: 'iPhone15 ケース 耐衝撃 クリア', priceYen: 1280, options: ['15', '15 Pro'] },
  { itemNo: '912345020', sellerItemCode: 'EL-FAN-HANDY', title: 'ハンディファン 3段階 USB充電 静音', priceYen: 1980, options: ['ミント', 'ピンク'] },
  { itemNo: '912345021', sellerItemCode: 'HM-TOWEL-5P', title: '今治タオル フェイスタオル 5枚セット', priceYen: 2980, options: [] },
  { itemNo: '912345022', sellerItemCode: 'HM-PILLOW-LOW', title: '低反発 枕 洗えるカバー付き', priceYen: 3580, options: [] },
  { itemNo: '912345023', sellerItemCode: 'HM-STORAGE-3', title: '収納ボックス 折りたたみ 3個セット', priceYen: 2180, options: [] },
  { itemNo: '912345024', sellerItemCode: 'HM-DETER-2L', title: '詰め替え用 洗濯洗剤 2L 部屋干し', priceYen: 1180, options: [] },
  { itemNo: '912345025', sellerItemCode: 'HM-RUG-140', title: 'ラグ 140×200cm 洗える 床暖房対応', priceYen: 5980, options: ['グレー', 'ベージュ'] },
  { itemNo: '912345026', sellerItemCode: 'HB-PROT-1KG', title: 'ホエイプロテイン 1kg ココア味', priceYen: 3280, options: ['ココア', 'バニラ'] },
  { itemNo: '912345027', sellerItemCode: 'HB-VIT-90', title: 'マルチビタミン サプリ 90日分', priceYen: 1380, options: [] },
  { itemNo: '912345028', sellerItemCode: 'KD-BLOCK-500', title: '知育ブロック 500ピース 収納ケース付き', priceYen: 2580, options: [] },
  { itemNo: '912345029', sellerItemCode: 'PT-FOOD-3KG', title: 'ドッグフード 国産 小粒 3kg', priceYen: 2980, options: [] },
  { itemNo: '912345030', sellerItemCode: 'MTO-NAME-STAMP', title: '【名入れ】オーダーメイド はんこ 印鑑ケース付き', priceYen: 3980, options: [] },
];

/** Items that run out in generated scenarios: seller-fault cancels concentrate on them. */
export const STOCKOUT_PRONE_CODES: readonly string[] = ['COS-CUSH-21', 'EL-EAR-BT5', 'FD-KIMCHI-1KG'];

export const MADE_TO_ORDER_CODES: readonly string[] = ['MTO-NAME-STAMP'];

export const PAYMENT_METHODS: readonly (readonly [string, number])[] = [
  ['クレジットカード', 52],
  ['Qcash', 8],
  ['Qoo10ポイント', 6],
  ['コンビニ決済', 10],
  ['銀行振込', 5],
  ['PayPay', 9],
  ['キャリア決済', 5],
  ['後払い決済', 5],
];

/** Payment methods whose orders wait in status 1 until paid. */
export const DEFERRED_PAYMENT_METHODS: readonly string[] = ['コンビニ決済', '銀行振込'];

export const CARRIERS: readonly (readonly [string, number])[] = [
  ['ヤマト宅急便', 40],
  ['ネコポス', 15],
  ['ゆうパック', 15],
  ['ゆうパケット', 12],
  ['クリックポスト', 6],
  ['佐川急便', 12],
];

export const BUYER_CANCEL_REASONS: readonly string[] = [
  '注文間違い',
  '購入者都合（気が変わった）',
  '他店で購入済み',
  'サイズ・カラーの選択ミス',
  'お届け日時の都合',
  '支払方法を変更したい',
  '重複注文',
];

const FAMILY = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤', '吉田', '山田', '松本', '井上', '木村'];
const GIVEN = ['花子', '陽菜', '結衣', '美咲', 'さくら', '翔太', '大輔', '健一', '蓮', '悠真', '葵', '真由美', '直樹', '彩', '拓海'];

export function sampleBuyer(random: Random): { buyerName: string; buyerEmail: string } {
  const n = randomInt(random, 1000, 99999);
  return { buyerName: `${pick(random, FAMILY)} ${pick(random, GIVEN)}`, buyerEmail: `buyer${n}@example.jp` };
}

/** A 12-digit tracking number whose last digit is the mod-7 check digit Yamato and Sagawa use. */
export function sampleTracking(random: Random): { carrier: string; trackingNo: string } {
  const carrier = pickWeighted(random, CARRIERS);
  const base = randomInt(random, 10_000_000_000, 99_999_999_999);
  return { carrier, trackingNo: `${base}${base % 7}` };
}

/** Quantity: mostly one, sometimes two or three. */
export function sampleQuantity(random: Random): number {
  return pickWeighted(random, [
    [1, 85],
    [2, 11],
    [3, 4],
  ]);
}
