// @ts-check
/**
 * The script inlined at the end of report.html (plain browser JavaScript, read as text at report
 * time; the vega and vega-lite UMD builds are inlined before it and set `vega` and `vegaLite`).
 * It does three things and touches nothing outside the page:
 *   - draws every `.chart[data-spec]` from the Vega-Lite spec in the JSON script it names;
 *   - shows a chart's tooltip values in a positioned box (text only, never HTML);
 *   - sorts the ledger table when a header button is pressed.
 * Each chart ends with `data-rendered` set to "ok" or "error", which the test waits for.
 */
(function () {
  'use strict';

  /** @type {any} */
  const globals = globalThis;

  // ---- tooltips ---------------------------------------------------------------------------
  const tip = document.createElement('div');
  tip.className = 'chart-tooltip';
  tip.setAttribute('role', 'tooltip');
  tip.hidden = true;
  document.body.appendChild(tip);

  /**
   * vega's tooltip handler signature: (handler, event, item, value). `value` is what the spec's
   * tooltip encoding produced: an object of field → value, a string, or null to hide.
   * @param {unknown} _handler @param {MouseEvent} event @param {unknown} _item @param {unknown} value
   */
  function showTooltip(_handler, event, _item, value) {
    if (value === null || value === undefined || value === '') {
      tip.hidden = true;
      return;
    }
    tip.replaceChildren();
    if (typeof value === 'object') {
      const table = document.createElement('table');
      for (const [key, entry] of Object.entries(/** @type {Record<string, unknown>} */ (value))) {
        const row = table.insertRow();
        const name = document.createElement('th');
        name.textContent = key;
        const cell = row.insertCell();
        cell.textContent = entry === null || entry === undefined ? '—' : String(entry);
        row.insertBefore(name, cell);
      }
      tip.appendChild(table);
    } else {
      tip.textContent = String(value);
    }
    tip.hidden = false;
    // Beside the pointer, flipped to the other side where it would leave the window.
    const margin = 14;
    const { width, height } = tip.getBoundingClientRect();
    const left =
      event.clientX + margin + width > window.innerWidth ? event.clientX - margin - width : event.clientX + margin;
    const top =
      event.clientY + margin + height > window.innerHeight ? event.clientY - margin - height : event.clientY + margin;
    tip.style.left = `${Math.max(4, left)}px`;
    tip.style.top = `${Math.max(4, top)}px`;
  }

  // ---- charts -------------------------------------------------------------------------------
  /** @param {HTMLElement} container */
  async function drawChart(container) {
    try {
      const specId = container.dataset['spec'] ?? '';
      const source = document.getElementById(specId);
      if (!source) throw new Error(`no spec element #${specId}`);
      const vegaLiteSpec = JSON.parse(source.textContent ?? 'null');
      const vegaSpec = globals.vegaLite.compile(vegaLiteSpec).spec;
      const view = new globals.vega.View(globals.vega.parse(vegaSpec), { renderer: 'svg', container, hover: true });
      view.tooltip(showTooltip);
      await view.runAsync();
      container.dataset['rendered'] = 'ok';
    } catch (error) {
      container.dataset['rendered'] = 'error';
      const message = document.createElement('p');
      message.className = 'chart-error';
      message.textContent = `This chart could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
      container.replaceChildren(message);
      console.error('report.html: chart', container.dataset['spec'], error);
    }
  }

  if (typeof globals.vega === 'undefined' || typeof globals.vegaLite === 'undefined') {
    console.error('report.html: the inlined vega / vega-lite builds did not load');
  }
  for (const container of document.querySelectorAll('.chart[data-spec]'))
    void drawChart(/** @type {HTMLElement} */ (container));

  // ---- the sortable ledger ------------------------------------------------------------------
  const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

  /** @param {HTMLTableElement} table */
  function makeSortable(table) {
    const body = table.tBodies[0];
    const headers = /** @type {HTMLTableCellElement[]} */ (Array.from(table.querySelectorAll('thead th')));
    if (!body) return;
    headers.forEach((header, column) => {
      const button = header.querySelector('button');
      if (!button) return;
      button.addEventListener('click', () => {
        const current = header.getAttribute('aria-sort');
        const direction = current === 'ascending' ? 'descending' : 'ascending';
        for (const other of headers) other.removeAttribute('aria-sort');
        header.setAttribute('aria-sort', direction);
        sortRows(body, column, header.dataset['type'] === 'number', direction === 'ascending' ? 1 : -1);
        const status = table.parentElement?.querySelector('.sort-status');
        if (status) status.textContent = `Sorted by ${button.textContent?.trim()}, ${direction}.`;
      });
    });
  }

  /**
   * Rows without a value (a crash has no metric; a queued run no latency) go last whichever way
   * the column is sorted; ties and those rows keep the report's ranking (data-rank).
   * @param {HTMLTableSectionElement} body @param {number} column @param {boolean} numeric @param {1 | -1} sign
   */
  function sortRows(body, column, numeric, sign) {
    const rows = Array.from(body.rows).map((row) => {
      const cell = row.cells[column];
      const raw = cell?.dataset['sort'] ?? cell?.textContent?.trim() ?? '';
      return { row, rank: Number(row.dataset['rank']), missing: raw === '' || raw === '—', raw, number: Number(raw) };
    });
    rows.sort((a, b) => {
      if (a.missing !== b.missing) return a.missing ? 1 : -1;
      if (!a.missing) {
        const order = numeric ? a.number - b.number : collator.compare(a.raw, b.raw);
        if (order !== 0) return sign * order;
      }
      return a.rank - b.rank;
    });
    body.append(...rows.map((entry) => entry.row));
  }

  for (const table of document.querySelectorAll('table.sortable'))
    makeSortable(/** @type {HTMLTableElement} */ (table));
})();
