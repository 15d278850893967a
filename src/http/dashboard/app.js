// The dashboard: one GET /api/dashboard per load, rendered with DOM calls (text only, never HTML from
// data). The admin token lives in sessionStorage (this tab only); every call sends it as a Bearer
// token and a 401 brings the login form back.
'use strict';

(function () {
  const TOKEN_KEY = 'cancel-guard.token';
  const LANG_KEY = 'cancel-guard.lang';
  const SHOP_KEY = 'cancel-guard.shop';
  const REFRESH_MS = 60_000;
  const TEXTS = window.CANCEL_GUARD_I18N;
  const $ = (id) => document.getElementById(id);

  let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'ja';
  let summary = null;
  let loading = false;

  function t(key, vars) {
    const text = TEXTS[lang][key] ?? TEXTS.ja[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => (vars && vars[name] !== undefined ? String(vars[name]) : ''));
  }
  const has = (key) => TEXTS[lang][key] !== undefined;

  /** h('td', { class: 'x' }, 'text', child): an element with attributes and text or element children. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value == null) continue;
      if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  const locale = () => (lang === 'ja' ? 'ja-JP' : 'en-GB');
  const count = (n) => new Intl.NumberFormat(locale()).format(n);
  const pct = (fraction) => `${(fraction * 100).toFixed(2)} %`;
  function jst(iso, withDate = true) {
    if (!iso) return '—';
    const options = { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hour12: false };
    if (withDate) Object.assign(options, { month: 'numeric', day: 'numeric' });
    return new Intl.DateTimeFormat(locale(), options).format(new Date(iso));
  }
  const jstDate = (iso) => new Intl.DateTimeFormat(locale(), { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'numeric', day: 'numeric' }).format(new Date(iso));
  const badge = (cls, text) => h('span', { class: `badge ${cls}` }, text);
  const codeText = (decision) => (lang === 'ja' && has(`code.${decision.code}`) ? t(`code.${decision.code}`) : decision.reason);

  // ---- token and API ---------------------------------------------------------------------------
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || `HTTP ${status}`);
      this.status = status;
      this.code = body && body.code;
    }
  }

  async function api(path, init = {}) {
    const res = await fetch(path, {
      ...init,
      headers: { Accept: 'application/json', Authorization: `Bearer ${token()}`, ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
      cache: 'no-store',
    });
    const body = await res.json().catch(() => null);
    if (res.status === 401) {
      showLogin(t('login.expired'));
      throw new ApiError(401, body);
    }
    if (!res.ok) throw new ApiError(res.status, body);
    return body;
  }

  function showLogin(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    summary = null;
    $('dashboard').hidden = true;
    for (const id of ['logout', 'refresh']) $(id).hidden = true;
    $('shop-select-wrap').hidden = true;
    $('shop-name').textContent = '';
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('token').value = '';
    $('token').focus();
  }

  // ---- loading ---------------------------------------------------------------------------------
  async function load() {
    if (!token() || loading) return;
    loading = true;
    const shopId = sessionStorage.getItem(SHOP_KEY);
    try {
      summary = await api(`/api/dashboard${shopId ? `?shopId=${encodeURIComponent(shopId)}` : ''}`);
      $('login').hidden = true;
      $('dashboard').hidden = false;
      $('load-error').hidden = true;
      for (const id of ['logout', 'refresh']) $(id).hidden = false;
      render();
      if (!performance.getEntriesByName('cg:data-rendered').length) performance.mark('cg:data-rendered');
    } catch (error) {
      if (error.status === 404 && shopId) {
        sessionStorage.removeItem(SHOP_KEY);
        loading = false;
        return load();
      }
      if (error.status !== 401) {
        $('dashboard').hidden = false;
        $('load-error').hidden = false;
        $('load-error').textContent = t('load.failed', { message: error.message });
      }
    } finally {
      loading = false;
    }
  }

  function toast(text, isError) {
    const el = $('toast');
    el.textContent = text;
    el.className = `toast${isError ? ' error' : ''}`;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (el.hidden = true), 4000);
  }

  // ---- rendering -------------------------------------------------------------------------------
  function render() {
    document.documentElement.lang = lang;
    document.title = t('title');
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    if (!summary) return;
    renderHeader();
    const empty = !summary.shop;
    $('no-shop').hidden = !empty;
    for (const id of ['rate', 'quarter', 'review', 'refusals', 'alerts', 'health']) $(id).hidden = empty;
    if (empty) return;
    renderRate();
    renderQuarter();
    renderReview();
    renderRefusals();
    renderAlerts();
    renderHealth();
    $('footer').textContent = t('footer.asOf', { time: jst(summary.asOf) });
  }

  function renderHeader() {
    const shop = summary.shop;
    $('shop-name').replaceChildren(...(shop ? [shop.name, shop.isDemo ? badge('demo', t('demo')) : ''] : []));
    const select = $('shop-select');
    $('shop-select-wrap').hidden = summary.shops.length < 2;
    select.replaceChildren(...summary.shops.map((s) => h('option', { value: s.id, selected: shop && s.id === shop.id }, s.name)));
  }

  function stat(label, value, note, cls) {
    return h('div', { class: `stat ${cls || ''}` }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, value), note ? h('div', { class: 'stat-note' }, note) : null);
  }

  function renderRate() {
    const rate = summary.rate;
    const limit = pct(rate.limit).replace('.00', '');
    const head = h(
      'div',
      { class: 'rate-head' },
      h('div', {}, h('h2', {}, t('rate.heading')), h('div', { class: 'muted' }, t('rate.month', { month: rate.month }))),
      h(
        'div',
        { class: `rate-big status-${rate.status}` },
        h('span', { class: 'rate-value', id: 'rate-value' }, rate.rateDefined ? pct(rate.rate) : '—'),
        badge(`status-${rate.status}`, t(`status.${rate.status}`)),
        h('span', { class: 'muted' }, t('rate.limitLine', { limit })),
      ),
    );
    const stats = h(
      'div',
      { class: 'stats' },
      stat(t('rate.counted'), t('unit.count', { n: count(rate.countedCancels) })),
      stat(t('rate.orders'), t('unit.count', { n: count(rate.orders) }), rate.rateDefined ? null : t('rate.noOrders')),
      stat(t('rate.excluded', { hours: rate.definition.exclusionHours }), t('unit.count', { n: count(rate.excludedCancels) })),
      stat(t('rate.headroom'), t('unit.count', { n: count(rate.headroom) }), t('rate.headroomNote', { limit }), `status-${rate.status}`),
      stat(t('rate.projected'), pct(rate.projectedRate), t('rate.projectedNote', { n: count(rate.headroomAtMonthEnd) })),
      stat(t('rate.ifAccepted'), pct(rate.pending.ifAllAccepted.rate), t('rate.ifAcceptedNote', { n: rate.pending.ifAllAccepted.addedCountedCancels })),
    );
    const chart = h('div', { class: 'chart', id: 'chart' });
    const window6h = rate.pending.insideExclusionWindow > 0 ? h('p', { class: 'hint' }, t('rate.pendingWindow', { hours: rate.definition.exclusionHours, n: rate.pending.insideExclusionWindow })) : null;
    const definition = h('details', { class: 'definition' }, h('summary', {}, t('rate.definition')), h('p', {}, rate.definition.text));
    $('rate').replaceChildren(...[head, stats, window6h, chart, h('p', { class: 'caption' }, t('chart.caption', { limit })), definition].filter(Boolean));
    window.CancelGuardChart.render(chart, rate, summary.days, t);
  }

  // The quarter Qoo10 counts on 1/1, 4/1, 7/1 and 10/1, the penalty tier and the seller-fault figure.
  function renderQuarter() {
    const rate = summary.rate;
    const q = rate.quarter;
    const tier = (name) => badge(`tier-${name}`, t(`tier.${name}`));
    const head = h(
      'div',
      { class: 'rate-head' },
      h('div', {}, h('h2', {}, t('quarter.heading')), h('div', { class: 'muted' }, t('quarter.period', { period: q.period, end: jstDate(q.periodEnd) }))),
      h('div', { class: 'rate-big' }, h('span', { class: 'rate-value', id: 'quarter-value' }, q.rateDefined ? pct(q.rate) : '—'), tier(q.tier)),
    );
    const stats = h(
      'div',
      { class: 'stats' },
      stat(t('quarter.tierNow'), tier(rate.penaltyTier), t('quarter.tierNowNote')),
      stat(t('quarter.projected'), pct(q.projectedRate), t('quarter.heading_to', { tier: t(`tier.${q.projectedTier}`) })),
      stat(t('rate.counted'), t('unit.count', { n: count(q.countedCancels) }), t('quarter.countedNote', { excluded: count(q.excludedCancels), orders: count(q.orders) })),
      stat(t('quarter.headroom'), `${count(q.headroom10)} / ${count(q.headroom15)}`, t('quarter.headroomNote')),
      stat(t('quarter.previous'), pct(q.previous.rate), `${q.previous.period} · ${t(`tier.${q.previous.tier}`)}`, q.twoQuartersRisk ? 'status-over' : ''),
      stat(t('quarter.sellerFault'), pct(rate.sellerFaultRate), t('quarter.sellerFaultNote', { quarter: pct(q.sellerFaultRate) })),
    );
    const notes = [
      q.twoQuartersRisk ? h('p', { class: 'hint warn' }, t('quarter.twoInARow')) : null,
      q.smallShop ? h('p', { class: 'hint' }, t('quarter.smallShop')) : null,
    ];
    $('quarter').replaceChildren(...[head, stats, ...notes].filter(Boolean));
  }

  function renderReview() {
    const items = summary.reviewQueue;
    const heading = h('h2', {}, t('review.heading'), ' ', h('span', { class: 'count' }, String(items.length)));
    if (items.length === 0) return $('review').replaceChildren(heading, h('p', { class: 'empty' }, t('review.empty')));
    const rows = items.map((item) => {
      const decision = item.decision;
      const action = decision && decision.action;
      const why = decision ? [codeText(decision), decision.trackingDeadline ? h('div', { class: 'warn' }, t('review.deadline', { time: jst(decision.trackingDeadline) })) : null] : '—';
      return h(
        'tr',
        { 'data-request-id': item.id },
        h('td', { class: 'mono' }, item.orderNo),
        h('td', {}, h('div', {}, item.itemTitle || '—'), h('div', { class: 'muted mono' }, item.sellerItemCode || '')),
        h('td', { class: 'nowrap' }, jst(item.requestedAt)),
        h('td', {}, why),
        h('td', {}, action ? badge(`kind-${action}`, t(`kind.${action}`)) : h('span', { class: 'muted' }, t('review.noSuggestion'))),
        h(
          'td',
          {},
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', class: 'primary approve', disabled: !action, onclick: (event) => decide(item, 'approve', {}, event.currentTarget) }, t('review.approve')),
            h('button', { type: 'button', class: 'ghost override', onclick: (event) => openOverride(event.target.closest('tr'), item) }, t('review.override')),
            // A refusal without a number to submit (made to order, packed) is answered in QSM by hand.
            action === 'refuse' || !action ? h('button', { type: 'button', class: 'ghost handled', onclick: (event) => decide(item, 'handled', {}, event.currentTarget) }, t('review.handled')) : null,
          ),
        ),
      );
    });
    const head = h('tr', {}, ['review.order', 'review.item', 'review.requested', 'review.why', 'review.suggestion', 'review.actions'].map((key) => h('th', {}, t(key))));
    $('review').replaceChildren(heading, h('div', { class: 'table-wrap' }, h('table', { class: 'review-table' }, h('thead', {}, head), h('tbody', {}, rows))));
  }

  async function decide(item, path, body, button) {
    button.disabled = true;
    try {
      await api(`/api/cancel-requests/${encodeURIComponent(item.id)}/${path}`, { method: 'POST', body: JSON.stringify({ person: 'dashboard', ...body }) });
      toast(t('review.done', { orderNo: item.orderNo }));
      await load();
    } catch (error) {
      button.disabled = false;
      if (error.status !== 401) toast(`${item.orderNo}: ${error.message}`, true);
    }
  }

  function openOverride(row, item) {
    if (row.nextElementSibling && row.nextElementSibling.classList.contains('override-row')) return row.nextElementSibling.remove();
    const kind = h('select', { name: 'kind' }, ['accept', 'refuse', 'seller-fault'].map((k) => h('option', { value: k, selected: item.decision && item.decision.action === k }, t(`kind.${k}`))));
    const note = h('input', { name: 'note', type: 'text', maxlength: 1000, placeholder: t('review.overrideNote'), required: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('review.overrideSubmit'));
    const form = h(
      'form',
      { class: 'override-form' },
      h('label', {}, t('review.overrideKind'), ' ', kind),
      h('label', { class: 'grow' }, t('review.overrideNote'), ' ', note),
      submit,
      h('button', { type: 'button', class: 'ghost', onclick: () => form.closest('tr').remove() }, t('review.cancel')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!note.value.trim()) return toast(t('review.noteRequired'), true);
      decide(item, 'override', { kind: kind.value, note: note.value.trim() }, submit);
    });
    row.after(h('tr', { class: 'override-row' }, h('td', { colspan: 6 }, form)));
    note.focus();
  }

  function renderRefusals() {
    const items = summary.refusalsToday;
    const heading = h('h2', {}, t('refusals.heading'), ' ', h('span', { class: 'count' }, String(items.length)));
    if (items.length === 0) return $('refusals').replaceChildren(heading, h('p', { class: 'empty' }, t('refusals.empty')));
    const head = h('tr', {}, ['review.order', 'review.item', 'refusals.decided', 'refusals.tracking', 'refusals.state', 'refusals.deadline'].map((key) => h('th', {}, t(key))));
    const rows = items.map((r) =>
      h(
        'tr',
        {},
        h('td', { class: 'mono' }, r.orderNo),
        h('td', {}, r.itemTitle || '—'),
        h('td', {}, badge(`kind-${r.decisionKind === 'refuse' ? 'refuse' : 'review'}`, t(`kind.${r.decisionKind}`)), h('div', { class: 'muted' }, jst(r.decidedAt))),
        h('td', { class: 'mono' }, r.tracking ? `${r.tracking.carrier} ${r.tracking.trackingNo}` : '—'),
        h('td', {}, badge(`tracking-${r.trackingState}`, t(`tracking.${r.trackingState}`)), r.overdue ? badge('status-over', t('refusals.overdue')) : null),
        h('td', { class: 'nowrap' }, jst(r.trackingDeadline)),
      ),
    );
    $('refusals').replaceChildren(heading, h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, head), h('tbody', {}, rows))));
  }

  function renderAlerts() {
    const items = summary.alerts;
    const heading = h('h2', {}, t('alerts.heading'));
    if (items.length === 0) return $('alerts').replaceChildren(heading, h('p', { class: 'empty' }, t('alerts.empty')));
    const list = h(
      'ul',
      { class: 'alerts' },
      items.map((a) =>
        h(
          'li',
          { class: `alert severity-${a.severity}` },
          h('div', { class: 'alert-head' }, badge(`severity-${a.severity}`, t(`severity.${a.severity}`)), h('span', { class: 'muted' }, jst(a.createdAt))),
          h('div', { class: 'alert-subject' }, a.subject),
          h('div', { class: 'muted small' }, t('alerts.email', { status: t(`email.${a.email.status}`) })),
        ),
      ),
    );
    $('alerts').replaceChildren(heading, list);
  }

  function renderHealth() {
    const c = summary.connection;
    const row = (label, ...value) => [h('dt', {}, label), h('dd', {}, ...value)];
    const ago = c.lastPollAgeSeconds === null ? '' : ` (${t('health.ago', { n: Math.floor(c.lastPollAgeSeconds / 60) })})`;
    const run = c.lastRun;
    const expiry = c.keyExpiresAt
      ? [jstDate(c.keyExpiresAt), c.keyExpiryEstimated ? t('health.keyEstimated') : '', ' · ', t('health.daysLeft', { n: c.keyDaysLeft })]
      : [t('health.unknown')];
    const list = h(
      'dl',
      { class: 'health' },
      row(t('health.lastPoll'), c.lastPollAt ? jst(c.lastPollAt) + ago : t('health.never'), c.pollStale ? badge('status-over', t('health.stale')) : badge('status-ok', 'OK')),
      row(t('health.lastRun'), run ? [badge(`run-${run.status}`, t(`run.${run.status}`)), ' ', jst(run.startedAt), run.error ? h('div', { class: 'warn small' }, run.error) : null] : '—'),
      row(t('health.key'), badge(`key-${c.keyStatus}`, t(`keyStatus.${c.keyStatus}`))),
      row(t('health.keyExpiry'), ...expiry),
    );
    $('health').replaceChildren(...[h('h2', {}, t('health.heading')), list, c.demo ? h('p', { class: 'hint' }, t('health.demo')) : null].filter(Boolean));
  }

  // ---- events ----------------------------------------------------------------------------------
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token').value.trim();
    if (!value) return ($('login-error').textContent = t('login.empty'));
    sessionStorage.setItem(TOKEN_KEY, value);
    $('token').value = '';
    load();
  });
  $('logout').addEventListener('click', () => showLogin(''));
  $('refresh').addEventListener('click', () => load());
  $('lang').addEventListener('click', () => {
    lang = lang === 'ja' ? 'en' : 'ja';
    localStorage.setItem(LANG_KEY, lang);
    render();
  });
  $('shop-select').addEventListener('change', (event) => {
    sessionStorage.setItem(SHOP_KEY, event.target.value);
    load();
  });
  setInterval(() => {
    // A person typing an override note must not lose it to a refresh.
    if (document.visibilityState === 'visible' && !document.querySelector('.override-row')) load();
  }, REFRESH_MS);

  render();
  if (token()) load();
  else showLogin('');
})();
