// The daily work tabs: the request list (search, filters, paging, buyer message drafts), tracking
// numbers (one number, or a label file previewed before it is sent) and stock (one item, or a stock
// file previewed before it is written). Each tab is drawn when first shown and redrawn on a language
// switch; data comes from the existing /api routes.
'use strict';

(function () {
  const CG = window.CancelGuard;
  const { $, t, has, h, fill, jst, badge, api, errorText, toast, copyText, cardTable } = CG;
  // Rows per page of the request list (a test sets a small page through window.CG_PAGE_SIZE).
  const PAGE_SIZE = window.CG_PAGE_SIZE || 20;

  const shopQuery = () => (CG.summary && CG.summary.shop ? `shopId=${encodeURIComponent(CG.summary.shop.id)}` : '');
  const problemText = (p) => (CG.state.lang === 'ja' && p.code && has(`problem.${p.code}`) ? t(`problem.${p.code}`, p) : p.message);
  const field = (labelKey, input) => h('label', { class: 'field' }, h('span', {}, t(labelKey)), input);

  /** Reads a chosen file as bytes (label and stock files are often Shift_JIS: never decode here). */
  const fileBytes = (input) => (input.files && input.files[0] ? input.files[0].arrayBuffer() : Promise.resolve(null));

  // ---- requests ----------------------------------------------------------------------------------
  const requests = { filters: {}, items: [], next: null, loaded: false };

  function requestFilters() {
    const f = requests.filters;
    const select = (name, values, prefix) =>
      h('select', { name }, h('option', { value: '' }, t('requests.all')), values.map((v) => h('option', { value: v, selected: f[name] === v }, t(`${prefix}.${v}`))));
    const form = h(
      'form',
      { class: 'filters', id: 'request-filters' },
      field('requests.q', h('input', { name: 'q', type: 'search', value: f.q || '', placeholder: t('requests.qHint'), maxlength: 100 })),
      field('requests.status', select('status', ['review', 'pending', 'acting', 'done', 'closed'], 'reqStatus')),
      field('requests.kind', select('kind', ['accept', 'refuse', 'seller-fault', 'review'], 'kind')),
      field('requests.from', h('input', { name: 'from', type: 'date', value: f.from || '' })),
      field('requests.to', h('input', { name: 'to', type: 'date', value: f.to || '' })),
      h('button', { type: 'submit', class: 'primary' }, t('requests.search')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      requests.filters = Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => String(v).trim() !== ''));
      fetchRequests(false);
    });
    return form;
  }

  async function fetchRequests(more) {
    const params = new URLSearchParams({ ...requests.filters, limit: String(PAGE_SIZE) });
    if (CG.summary && CG.summary.shop) params.set('shopId', CG.summary.shop.id);
    if (more && requests.next) params.set('cursor', requests.next);
    try {
      const page = await api(`/api/cancel-requests?${params}`);
      requests.items = more ? [...requests.items, ...page.items] : page.items;
      requests.next = page.nextCursor;
      requests.loaded = true;
      renderRequests();
    } catch (error) {
      if (error.status !== 401) toast(errorText(error), true);
    }
  }

  function renderRequests() {
    const heading = h('h2', {}, t('requests.heading'));
    const list = requests.items.length
      ? cardTable(
          'request-table',
          ['review.order', 'review.item', 'review.requested', 'requests.status', 'requests.decision', 'review.actions'].map((k) => t(k)),
          requests.items.map((r) =>
            h(
              'tr',
              { 'data-request-id': r.id },
              h('td', { class: 'mono' }, r.orderNo),
              h('td', {}, h('div', {}, (r.order && r.order.itemTitle) || '—'), h('div', { class: 'muted mono' }, (r.order && r.order.sellerItemCode) || '')),
              h('td', { class: 'nowrap' }, jst(r.requestedAt)),
              h('td', {}, badge(`req-${r.status}`, t(`reqStatus.${r.status}`))),
              h('td', {}, r.decision ? badge(`kind-${r.decision.kind}`, t(`kind.${r.decision.kind}`)) : '—'),
              h('td', {}, h('button', { type: 'button', class: 'ghost message', onclick: (event) => toggleMessage(event.currentTarget.closest('tr'), r) }, t('requests.message'))),
            ),
          ),
        )
      : h('p', { class: 'empty' }, requests.loaded ? t('requests.none') : '');
    const more = requests.next ? h('button', { type: 'button', class: 'ghost more', onclick: () => fetchRequests(true) }, t('requests.more')) : null;
    const shown = requests.loaded ? h('p', { class: 'muted small', id: 'requests-count' }, t('requests.shown', { n: requests.items.length })) : null;
    fill($('requests'), heading, requestFilters(), shown || '', list, more || '');
  }

  /** The buyer message draft of one request: the text to copy (QSM's own text when the API gives it). */
  async function toggleMessage(row, request) {
    const open = row.nextElementSibling && row.nextElementSibling.classList.contains('message-row');
    if (open) return row.nextElementSibling.remove();
    const cell = h('td', { colspan: 6, class: 'message-cell' }, h('p', { class: 'muted' }, t('requests.loading')));
    row.after(h('tr', { class: 'message-row' }, cell));
    let draft;
    try {
      draft = await api(`/api/cancel-requests/${encodeURIComponent(request.id)}/message`);
    } catch (error) {
      if (error.status === 401) return;
      return fill(cell, h('p', { class: 'muted' }, error.status === 404 ? t('message.none') : errorText(error)));
    }
    const text = draft.qsmText || (draft.subject ? `${draft.subject}\n\n${draft.body}` : draft.body);
    // Recorded on the server (POST …/message/sent): every browser and the case log see it.
    const sentAt = draft.qsm && draft.qsm.sentAt;
    const status = h('span', { class: 'message-status' }, sentAt ? badge('status-ok', t('message.sentAt', { time: jst(sentAt) })) : draft.email && draft.email.status === 'sent' ? badge('status-ok', t('message.emailed')) : badge('status-watch', t('message.notSent')));
    const markSent = h(
      'button',
      {
        type: 'button',
        class: 'ghost mark-sent',
        disabled: Boolean(sentAt),
        onclick: async () => {
          markSent.disabled = true;
          try {
            const marked = await api(`/api/cancel-requests/${encodeURIComponent(request.id)}/message/sent`, { method: 'POST', body: {} });
            fill(status, badge('status-ok', t('message.sentAt', { time: jst((marked.qsm && marked.qsm.sentAt) || new Date().toISOString()) })));
            toast(t('message.markedSent'), false);
          } catch (error) {
            markSent.disabled = false;
            if (error.status !== 401) toast(errorText(error), true);
          }
        },
      },
      t('message.markSent'),
    );
    fill(cell, 
      h('div', { class: 'message-head' }, h('strong', {}, draft.qsmText ? t('message.qsmHeading') : t('message.heading')), ' ', status),
      draft.needsPerson ? h('p', { class: 'warn' }, t('message.needsPerson')) : null,
      h('pre', { class: 'message-text' }, text),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary copy', onclick: async () => toast((await copyText(text)) ? t('message.copied') : t('message.copyFailed'), false) }, t('message.copy')),
        markSent,
      ),
      h('p', { class: 'muted small' }, t('message.sentNote')),
    );
  }

  // ---- tracking ----------------------------------------------------------------------------------
  const tracking = { preview: null, file: null, result: null };

  function renderTrackingEntry() {
    const orderNo = h('input', { name: 'orderNo', required: true, maxlength: 40, inputmode: 'numeric', autocomplete: 'off' });
    const carrier = h('input', { name: 'carrier', required: true, maxlength: 200, list: 'carriers', autocomplete: 'off' });
    const number = h('input', { name: 'trackingNo', required: true, maxlength: 100, inputmode: 'numeric', autocomplete: 'off' });
    const result = h('div', { class: 'result', id: 'tracking-entry-result', role: 'status' });
    const form = h(
      'form',
      { class: 'entry', id: 'tracking-form' },
      field('tracking.orderNo', orderNo),
      field('tracking.carrier', carrier),
      field('tracking.number', number),
      h('datalist', { id: 'carriers' }, ['ヤマト運輸', '佐川急便', '日本郵便', 'ゆうパケット', 'クリックポスト'].map((c) => h('option', { value: c }))),
      h('button', { type: 'submit', class: 'primary' }, t('tracking.submit')),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        const report = await api(`/api/shipments?source=manual`, {
          method: 'POST',
          body: { orderNo: orderNo.value.trim(), carrier: carrier.value.trim(), trackingNo: number.value.trim(), ...(CG.summary && CG.summary.shop ? { shopId: CG.summary.shop.id } : {}) },
        });
        fill(result, ...reportLines(report));
        if (report.accepted.length > 0) form.reset();
      } catch (error) {
        if (error.status !== 401) fill(result, h('p', { class: 'error' }, errorText(error)));
      } finally {
        button.disabled = false;
      }
    });
    fill($('tracking-entry'), h('h2', {}, t('tracking.entryHeading')), h('p', { class: 'hint' }, t('tracking.entryHint')), form, result);
  }

  /** A report in sentences: each accepted number with Qoo10's answer, each held row with its reason. */
  function reportLines(report) {
    const lines = report.accepted.map((a) =>
      h('p', { class: a.outcome === 'rejected' ? 'error' : 'ok' }, t(`tracking.outcome.${a.outcome}`, { orderNo: a.orderNos.join('、'), trackingNo: a.trackingNo, carrier: a.qoo10CarrierName, error: a.error || '' })),
    );
    for (const e of report.errors) lines.push(h('p', { class: 'error' }, e.line ? t('tracking.lineProblem', { line: e.line, text: problemText(e) }) : problemText(e)));
    if (report.notice) lines.push(h('p', { class: 'warn' }, report.notice));
    return lines;
  }

  function renderTrackingFile() {
    const input = h('input', { type: 'file', name: 'label-file', accept: '.csv,.txt,text/csv' });
    const preview = h('div', { id: 'tracking-preview' });
    const choose = h('form', { class: 'entry', id: 'tracking-file-form' }, field('tracking.file', input), h('button', { type: 'submit', class: 'primary' }, t('tracking.preview')));
    choose.addEventListener('submit', async (event) => {
      event.preventDefault();
      const bytes = await fileBytes(input);
      if (!bytes) return toast(t('file.choose'), true);
      tracking.file = { bytes, name: input.files[0].name };
      await sendLabelFile(true, preview);
    });
    fill($('tracking-file'), h('h2', {}, t('tracking.fileHeading')), h('p', { class: 'hint' }, t('tracking.fileHint')), choose, preview);
  }

  async function sendLabelFile(dryRun, preview) {
    const params = new URLSearchParams({ filename: tracking.file.name.replace(/[\\/]/g, '_').slice(0, 200), dryRun: String(dryRun) });
    if (CG.summary && CG.summary.shop) params.set('shopId', CG.summary.shop.id);
    try {
      const report = await api(`/api/shipments/import?${params}`, { method: 'POST', raw: tracking.file.bytes });
      if (dryRun) renderLabelPreview(report, preview);
      else {
        fill(preview, h('h3', {}, t('tracking.sentHeading', { n: report.counts.submitted, held: report.counts.refused + (report.counts.held || 0) })), ...reportLines(report));
        tracking.file = null;
      }
    } catch (error) {
      if (error.status === 401) return;
      const lines = Array.isArray(error.details) ? error.details.filter((d) => d.line).map((d) => h('li', {}, t('tracking.lineProblem', { line: d.line, text: problemText(d) }))) : [];
      fill(preview, h('p', { class: 'error' }, errorText(error)), lines.length ? h('ul', {}, lines) : '');
    }
  }

  function renderLabelPreview(report, preview) {
    const accepted = report.accepted.length
      ? cardTable(
          'preview-accepted',
          ['preview.line', 'tracking.orderNo', 'tracking.carrier', 'tracking.number', 'preview.state'].map((k) => t(k)),
          report.accepted.map((a) =>
            h(
              'tr',
              {},
              h('td', {}, String(a.line ?? '')),
              h('td', { class: 'mono' }, a.orderNos.join('、')),
              h('td', {}, a.qoo10CarrierName),
              h('td', { class: 'mono' }, a.trackingNo),
              h('td', {}, a.alreadyKnown ? badge('tracking-in', t('preview.known')) : badge('kind-accept', t('preview.new'))),
            ),
          ),
        )
      : h('p', { class: 'empty' }, t('preview.noneAccepted'));
    // Refused rows (unknown order…) and rows held for a person's confirmation (junk carrier or number).
    const heldRows = (report.held || []).map((row) => ({ line: row.line, code: row.reasons[0] && row.reasons[0].code, message: row.reasons.map((r) => r.message).join(' ') }));
    const held = [...report.errors, ...heldRows, ...report.warnings.map((w) => ({ ...w, warning: true }))].sort((a, b) => (a.line || 0) - (b.line || 0));
    const heldTable = held.length
      ? cardTable(
          'preview-held',
          ['preview.line', 'preview.reason'].map((k) => t(k)),
          held.map((e) => h('tr', { class: e.warning ? 'warning-row' : 'held-row' }, h('td', {}, String(e.line ?? '')), h('td', {}, e.warning ? badge('status-watch', t('preview.warning')) : badge('status-over', t('preview.held')), ' ', problemText(e)))),
        )
      : null;
    const submit = h(
      'button',
      { type: 'button', class: 'primary', id: 'tracking-confirm', disabled: report.accepted.length === 0, onclick: () => ((submit.disabled = true), sendLabelFile(false, preview)) },
      t('tracking.confirm', { n: report.accepted.length }),
    );
    fill(preview, 
      h('h3', {}, t('preview.summary', { rows: report.counts.rows, accepted: report.counts.accepted, held: report.counts.refused + (report.counts.held || 0) })),
      h('p', { class: 'muted small' }, t('preview.format', { format: report.format || '—', encoding: report.encoding || '—' })),
      h('h4', {}, t('preview.acceptedHeading')),
      accepted,
      heldTable ? h('h4', {}, t('preview.heldHeading')) : null,
      heldTable,
      h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'ghost', onclick: () => fill(preview, ) }, t('review.cancel'))),
    );
  }

  // ---- stock -------------------------------------------------------------------------------------
  const stock = { file: null };

  async function renderStockEntry() {
    const code = h('input', { name: 'sellerItemCode', required: true, maxlength: 100, autocomplete: 'off', list: 'item-codes' });
    const available = h('input', { name: 'available', type: 'number', min: 0, max: 1000000000, step: 1, required: true, inputmode: 'numeric' });
    const list = h('div', { id: 'stock-list' });
    const form = h('form', { class: 'entry', id: 'stock-form' }, field('stock.code', code), field('stock.available', available), h('button', { type: 'submit', class: 'primary' }, t('stock.save')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api(`/api/items/${encodeURIComponent(code.value.trim())}/stock`, { method: 'PUT', body: { available: Number(available.value), ...(CG.summary && CG.summary.shop ? { shopId: CG.summary.shop.id } : {}) } });
        toast(t('stock.saved', { code: code.value.trim(), n: available.value }));
        form.reset();
        await fillStockList(list);
      } catch (error) {
        if (error.status !== 401) toast(errorText(error), true);
      }
    });
    fill($('stock-entry'), h('h2', {}, t('stock.heading')), form, list);
    await fillStockList(list);
  }

  async function fillStockList(list) {
    try {
      const { items } = await api(`/api/items?${shopQuery()}`);
      const codes = h('datalist', { id: 'item-codes' }, items.map((i) => h('option', { value: i.sellerItemCode })));
      fill(list, 
        codes,
        items.length
          ? cardTable(
              'stock-table',
              ['stock.code', 'stock.available', 'stock.madeToOrder', 'stock.updated'].map((k) => t(k)),
              items.map((i) =>
                h(
                  'tr',
                  { 'data-code': i.sellerItemCode },
                  h('td', { class: 'mono' }, i.sellerItemCode),
                  h('td', {}, i.available === null ? '—' : i.available === 0 ? badge('status-over', t('stock.out')) : String(i.available)),
                  h('td', {}, i.madeToOrder ? t('stock.yes') : ''),
                  h('td', { class: 'nowrap' }, jst(i.updatedAt)),
                ),
              ),
            )
          : h('p', { class: 'empty' }, t('stock.none')),
      );
    } catch (error) {
      if (error.status !== 401) fill(list, h('p', { class: 'error' }, errorText(error)));
    }
  }

  function renderStockFile() {
    const input = h('input', { type: 'file', name: 'stock-file', accept: '.csv,.txt,text/csv' });
    const allow = h('input', { type: 'checkbox', name: 'allowUnknown' });
    const preview = h('div', { id: 'stock-preview' });
    const form = h(
      'form',
      { class: 'entry', id: 'stock-file-form' },
      field('stock.file', input),
      h('label', { class: 'check' }, allow, ' ', t('stock.allowUnknown')),
      h('button', { type: 'submit', class: 'primary' }, t('tracking.preview')),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const bytes = await fileBytes(input);
      if (!bytes) return toast(t('file.choose'), true);
      stock.file = { bytes, allowUnknown: allow.checked };
      await sendStockFile(true, preview);
    });
    fill($('stock-file'), h('h2', {}, t('stock.fileHeading')), h('p', { class: 'hint' }, t('stock.fileHint')), form, preview);
  }

  async function sendStockFile(dryRun, preview) {
    const params = new URLSearchParams({ dryRun: String(dryRun), allowUnknown: String(stock.file.allowUnknown) });
    if (CG.summary && CG.summary.shop) params.set('shopId', CG.summary.shop.id);
    try {
      const result = await api(`/api/stock/import?${params}`, { method: 'POST', raw: stock.file.bytes, contentType: 'text/csv' });
      if (!dryRun) {
        fill(preview, h('h3', {}, t('stock.imported', { n: result.imported, errors: result.errors.length })));
        await fillStockList($('stock-list'));
        return;
      }
      const rows = result.accepted.map((r) => h('tr', {}, h('td', {}, String(r.line)), h('td', { class: 'mono' }, r.sellerItemCode), h('td', {}, String(r.available))));
      const errors = result.errors.map((e) => h('tr', { class: 'held-row' }, h('td', {}, String(e.line)), h('td', {}, stockErrorText(e.message))));
      const submit = h('button', { type: 'button', class: 'primary', id: 'stock-confirm', disabled: rows.length === 0, onclick: () => ((submit.disabled = true), sendStockFile(false, preview)) }, t('stock.confirm', { n: rows.length }));
      fill(preview, 
        h('h3', {}, t('stock.previewSummary', { accepted: rows.length, errors: errors.length })),
        rows.length ? cardTable('preview-accepted', ['preview.line', 'stock.code', 'stock.available'].map((k) => t(k)), rows) : h('p', { class: 'empty' }, t('preview.noneAccepted')),
        errors.length ? h('h4', {}, t('stock.errorsHeading')) : null,
        errors.length ? cardTable('preview-held', ['preview.line', 'preview.reason'].map((k) => t(k)), errors) : null,
        h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'ghost', onclick: () => fill(preview, ) }, t('review.cancel'))),
      );
    } catch (error) {
      if (error.status !== 401) fill(preview, h('p', { class: 'error' }, stockErrorText(errorText(error))));
    }
  }

  /** The stock parser's line messages, in Japanese where their shape is known. */
  function stockErrorText(message) {
    if (CG.state.lang !== 'ja') return message;
    if (/is unknown to this shop/.test(message)) return t('stock.err.unknown', { code: (message.match(/"([^"]*)"/) || [])[1] || '' });
    if (/^available must be/.test(message)) return t('stock.err.available');
    if (/^seller_item_code is empty/.test(message)) return t('stock.err.emptyCode');
    if (/^seller_item_code must be/.test(message)) return t('stock.err.badCode');
    if (/not the stock header/.test(message)) return t('stock.err.header');
    if (/has no rows/.test(message)) return t('stock.err.empty');
    return message;
  }

  // ---- tab life cycle ----------------------------------------------------------------------------
  const drawn = new Set();
  function draw(tab) {
    if (!CG.summary || !CG.summary.shop) return;
    if (tab === 'requests') {
      renderRequests();
      if (!requests.loaded) fetchRequests(false);
    } else if (tab === 'tracking') {
      renderTrackingEntry();
      renderTrackingFile();
    } else if (tab === 'stock') {
      renderStockEntry();
      renderStockFile();
    } else return;
    drawn.add(tab);
  }
  document.addEventListener('cg:tab', (event) => {
    if (!drawn.has(event.detail)) draw(event.detail);
  });
  document.addEventListener('cg:loaded', () => {
    const tab = location.hash.replace(/^#/, '');
    if (!drawn.has(tab)) draw(tab);
  });
  // A language switch redraws the open tab (forms are empty again; nothing is sent).
  document.addEventListener('cg:lang', () => {
    drawn.clear();
    draw(location.hash.replace(/^#/, ''));
  });
})();
