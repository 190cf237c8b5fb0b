// Export of what the page shows: each results table as CSV, Markdown or
// LaTeX (copied or downloaded), each chart as PNG or SVG, the whole result as
// JSON. Everything is made in the browser and saved through a Blob URL:
// nothing goes over the network.
//
// Tables are read from the page itself, so an export holds exactly the rows
// and columns on screen, but with each number at full precision: the
// data-value attribute (what the result JSON says), never the rounded text.
// The tables and charts to export are marked in index.html: `data-export` on
// a <table> or a chart container names its file.

const normalise = (text) => text.replace(/\s+/g, ' ').trim();

// Cells on screen hold "–" where there is no value: an export leaves them empty.
const cellText = (element) => {
  const text = normalise(element.textContent);
  return text === '–' ? '' : text;
};

const testidOf = (element) => element.dataset.testid ?? element.dataset.staleTestid ?? '';

// The numbers of one cell, in order: [{testid, value}] (full precision).
function cellValues(cell) {
  const found = cell.matches('[data-value]') ? [cell] : [...cell.querySelectorAll('[data-value]')];
  return found.map((element) => ({ testid: testidOf(element), value: element.dataset.value }));
}

// A column whose cells hold several numbers (an interval, or a sweep cell
// with its interval and gap) becomes one column per number, named by what
// the numbers' test ids add to their common prefix: ".0"/".1" read low/high.
function subcolumnNames(values) {
  const parts = values.map(({ testid }) => testid.split('.'));
  let common = 0;
  while (parts.every((p) => p.length > common + 1 && p[common] === parts[0][common])) common++;
  return parts.map((p) => p.slice(common).map((w) => (w === '0' ? 'low' : w === '1' ? 'high' : w.replace(/_/g, ' '))).join(' '));
}

/** {head: [text], align: ['l'|'r'], rows: [[text]]} of a table as the page shows it. */
export function tableModel(table) {
  const headRow = table.tHead?.rows[table.tHead.rows.length - 1];
  const heads = headRow ? [...headRow.cells] : [];
  const bodyRows = [...table.tBodies].flatMap((body) => [...body.rows]);
  // Each body row as [{cell, column}] with the column it starts in.
  const placed = bodyRows.map((row) => {
    let column = 0;
    return [...row.cells].map((cell) => {
      const at = { cell, column, span: cell.colSpan || 1 };
      column += at.span;
      return at;
    });
  });
  const columns = Math.max(heads.length, ...placed.map((row) => row.reduce((n, at) => n + at.span, 0)));
  const width = Array(columns).fill(1);
  const names = Array(columns).fill(null);
  for (const row of placed) {
    for (const { cell, column, span } of row) {
      if (span !== 1) continue;
      const values = cellValues(cell);
      if (values.length > width[column]) {
        width[column] = values.length;
        names[column] = subcolumnNames(values);
      }
    }
  }
  // A column whose cells name their numbers differently (a Dataset sweep
  // column of alpha* exact at some settings, an interval at others) is
  // aligned by name, not by order: an exact alpha fills both ends of the
  // interval, its ci95 the interval's; a name only some cells have gets a
  // column of its own.
  const aligned = new Map();  // cell -> its texts, one per subcolumn
  for (let column = 0; column < columns; column++) {
    const cells = placed.flatMap((row) => row.filter((at) => at.column === column && at.span === 1)).map(({ cell }) => ({ cell, values: cellValues(cell) }));
    const named = cells.filter(({ values }) => values.length > 1);
    if (!named.length || cells.some(({ values }) => values.some(({ testid }) => !testid))) continue;
    const lists = named.map(({ values }) => subcolumnNames(values));
    if (lists.every((list) => list.join() === names[column].join())) continue;
    const union = [...(lists.find((list) => list.includes('interval low')) ?? names[column])];
    const targets = (name) => {
      if (union.includes(name)) return [name];
      if (union.includes(`interval ${name}`)) return [`interval ${name}`];
      if (name === 'alpha' && union.includes('interval low') && union.includes('interval high')) return ['interval low', 'interval high'];
      union.push(name);
      return [name];
    };
    const placedCells = cells.filter(({ values }) => values.length).map(({ cell, values }) => {
      const list = values.length > 1 ? subcolumnNames(values) : [values[0].testid.split('.').at(-1)];
      return { cell, spots: values.map(({ value }, k) => ({ value, names: targets(list[k]) })) };
    });
    for (const { cell, spots } of placedCells) {
      const texts = Array(union.length).fill('');
      for (const { value, names: at } of spots) for (const name of at) texts[union.indexOf(name)] = value;
      aligned.set(cell, texts);
    }
    width[column] = union.length;
    names[column] = union;
  }
  const head = [], align = [];
  for (let column = 0; column < columns; column++) {
    const cell = heads[column];
    const text = cell ? cellText(cell) : '';
    const right = cell ? cell.classList.contains('number') : false;
    for (let k = 0; k < width[column]; k++) {
      head.push(width[column] === 1 ? text : `${text} ${names[column][k]}`.trim());
      align.push(right ? 'r' : 'l');
    }
  }
  const rows = placed.map((row) => {
    const out = [];
    for (const { cell, column, span } of row) {
      let room = 0;
      for (let c = column; c < column + span; c++) room += width[c] ?? 1;
      const values = span === 1 ? cellValues(cell) : [];
      let texts = aligned.get(cell) ?? (values.length ? values.map(({ value }) => value) : [cellText(cell)]);
      // One number in a column of intervals (an exact alpha* beside a bounded
      // one) is its own interval: both the low and the high column hold it.
      if (!aligned.has(cell) && values.length === 1 && room === 2 && names[column]?.join() === 'low,high') texts = [texts[0], texts[0]];
      for (let k = 0; k < room; k++) out.push(texts[k] ?? '');
    }
    while (out.length < head.length) out.push('');
    return out;
  });
  return { head, align, rows };
}

const csvField = (text) => (/[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** RFC 4180 CSV (CRLF line ends), the header first. */
export function toCsv({ head, rows }) {
  return [head, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

const markdownField = (text) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');

/** A GitHub-flavoured Markdown table, numeric columns right-aligned. */
export function toMarkdown({ head, align, rows }) {
  const line = (row) => `| ${row.map(markdownField).join(' | ')} |`;
  const rule = `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n') + '\n';
}

// Plain text to LaTeX text mode: the special characters escaped, the page's
// Greek letters and symbols as math.
const latexSymbols = [
  [/α\*/g, '$\\alpha^*$'], [/α/g, '$\\alpha$'], [/ρ/g, '$\\rho$'], [/χ²/g, '$\\chi^2$'], [/≈/g, '$\\approx$'],
  [/≤/g, '$\\le$'], [/≥/g, '$\\ge$'], [/×/g, '$\\times$'], [/−/g, '$-$'], [/–/g, '--'], [/~/g, '$\\sim$'],
];
export function latexText(text) {
  let out = text.replace(/[\\{}$&%#_^|<>]/g, (c) => ({
    '\\': '\\textbackslash{}', '{': '\\{', '}': '\\}', $: '\\$', '&': '\\&', '%': '\\%', '#': '\\#', _: '\\_',
    '^': '\\textasciicircum{}', '|': '\\textbar{}', '<': '\\textless{}', '>': '\\textgreater{}',
  })[c]);
  for (const [pattern, replacement] of latexSymbols) out = out.replace(pattern, replacement);
  return out;
}

/** A LaTeX tabular (plain \hline rules: no package needed). */
export function toLatex({ head, align, rows }) {
  const line = (row) => `${row.map(latexText).join(' & ')} \\\\`;
  return [`\\begin{tabular}{${align.join('')}}`, '\\hline', line(head), '\\hline', ...rows.map(line), '\\hline', '\\end{tabular}'].join('\n') + '\n';
}

export const tableFormats = {
  csv: { label: 'CSV', extension: 'csv', type: 'text/csv', write: toCsv },
  md: { label: 'Markdown', extension: 'md', type: 'text/markdown', write: toMarkdown },
  tex: { label: 'LaTeX', extension: 'tex', type: 'application/x-tex', write: toLatex },
};

// ---- charts --------------------------------------------------------------

const escapeXml = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cssColour = (name, fallback) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

// Tick values for a linear axis: 1, 2 or 5 times a power of ten, about `count` of them.
function linearTicks(min, max, count) {
  if (!(max > min)) return { ticks: [min], step: 1 };
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const out = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return { ticks: out, step };
}

function tickLabel(value, step) {
  const digits = Math.min(6, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
  return value.toFixed(digits);
}

let svgCount = 0;
/**
 * An SVG document of a chart's figure (charts.mjs): the same numbers as the
 * canvas, drawn as one <path> per series, with axes, ticks, labels, the
 * shaded certificate and a legend.
 */
export function chartSvg(figure, { width = 720, height = 360 } = {}) {
  const ink = cssColour('--ink', '#1b1f24'), page = cssColour('--page', '#fff');
  const axis = cssColour('--chart-axis', '#3b4450'), grid = cssColour('--chart-grid', '#e6e9ed');
  const legendRows = Math.ceil(figure.series.length / 3);
  const margin = { left: 70, right: 16, top: 14, bottom: 52 + 18 * legendRows };
  const plotW = width - margin.left - margin.right, plotH = height - margin.top - margin.bottom;
  const [x0, x1] = figure.xRange[0] === figure.xRange[1] ? [figure.xRange[0] - 0.5, figure.xRange[1] + 0.5] : figure.xRange;
  let [y0, y1] = figure.yRange;
  if (!(y1 > y0)) y1 = y0 + 1;
  const sx = (x) => margin.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = figure.yLog
    ? (y) => margin.top + plotH - ((Math.log10(Math.max(y, y0)) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * plotH
    : (y) => margin.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const f = (v) => (Math.round(v * 100) / 100).toString();
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="${escapeXml(page)}"/>`);
  // Clip the series to the plot area (a log floor or a marker can lie outside).
  // The id is unique: SVGs inlined in one HTML page share one id space.
  const clip = `mdsd-plot-${Date.now().toString(36)}-${++svgCount}`;
  out.push(`<defs><clipPath id="${clip}"><rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}"/></clipPath></defs>`);
  if (figure.shade?.length) {
    out.push('<g class="certificate">');
    for (const { from, to, colour, opacity } of figure.shade) {
      const left = sx(Math.max(from, x0)), right = sx(Math.min(to, x1));
      out.push(`<rect x="${f(left)}" y="${margin.top}" width="${f(Math.max(0.5, right - left))}" height="${plotH}" fill="${escapeXml(colour)}" fill-opacity="${opacity.toFixed(3)}"/>`);
    }
    out.push('</g>');
  }
  // Grid and ticks.
  const yTicks = figure.yLog
    ? (() => {
      const ticks = [];
      for (let e = Math.ceil(Math.log10(y0) - 1e-9); e <= Math.floor(Math.log10(y1) + 1e-9); e++) ticks.push(10 ** e);
      const every = Math.max(1, Math.ceil(ticks.length / 8));
      return ticks.filter((_, k) => k % every === 0).map((t) => ({ value: t, label: t >= 0.01 ? String(+t.toPrecision(2)) : t.toExponential(0) }));
    })()
    : (() => { const { ticks, step } = linearTicks(y0, y1, 6); return ticks.map((t) => ({ value: t, label: tickLabel(t, step) })); })();
  let xTicks = figure.xTicks;
  if (!xTicks) { const { ticks, step } = linearTicks(x0, x1, 8); xTicks = ticks.map((t) => ({ value: t, label: tickLabel(t, step) })); }
  // At most one label per 28 px: token ids of a long small chart would overlap.
  const xEvery = Math.max(1, Math.ceil(xTicks.length / Math.max(1, Math.floor(plotW / 28))));
  out.push(`<g class="grid" stroke="${escapeXml(grid)}" stroke-width="1">`);
  for (const { value } of yTicks) out.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${f(sy(value))}" y2="${f(sy(value))}"/>`);
  out.push('</g>');
  out.push(`<g class="axes" fill="${escapeXml(axis)}" stroke="none">`);
  for (const { value, label } of yTicks) out.push(`<text x="${margin.left - 6}" y="${f(sy(value) + 4)}" text-anchor="end">${escapeXml(label)}</text>`);
  xTicks.forEach(({ value, label }, k) => {
    if (k % xEvery === 0 && value >= x0 - 1e-9 && value <= x1 + 1e-9) out.push(`<text x="${f(sx(value))}" y="${margin.top + plotH + 16}" text-anchor="middle">${escapeXml(label)}</text>`);
  });
  out.push(`<text x="${margin.left + plotW / 2}" y="${margin.top + plotH + 36}" text-anchor="middle">${escapeXml(figure.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(figure.yLabel)}</text>`);
  out.push('</g>');
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="${escapeXml(axis)}" stroke-width="1"/>`);
  if (figure.marker != null) {
    out.push(`<line class="marker" x1="${f(sx(figure.marker))}" x2="${f(sx(figure.marker))}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="${escapeXml(axis)}" stroke-dasharray="3 3" clip-path="url(#${clip})"/>`);
  }
  // The series: one path each (bars as one path of rectangles).
  out.push(`<g class="series" clip-path="url(#${clip})">`);
  for (const series of figure.series) {
    const d = [];
    const { x } = figure;
    if (series.kind === 'bars') {
      const base = sy(figure.yLog ? y0 : 0);
      series.values.forEach((v, i) => {
        if (v == null || x[i] == null) return;
        const left = sx(x[i] + series.bar[0]), right = sx(x[i] + series.bar[1]);
        d.push(`M${f(left)} ${f(base)}V${f(sy(v))}H${f(right)}V${f(base)}Z`);
      });
    } else {
      let open = false;
      series.values.forEach((v, i) => {
        // A point with no neighbour (SpecHub exists at n = 2 only) is a dot.
        const alone = v != null && series.values[i - 1] == null && series.values[i + 1] == null;
        if (alone && series.kind === 'line') d.push(`M${f(sx(x[i]) - 2.5)} ${f(sy(v))}a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0 -5 0`);
        if (v == null) { open = false; return; }
        if (!open) { d.push(`M${f(sx(x[i]))} ${f(sy(v))}`); open = true; return; }
        // A step holds the previous value up to this x, then jumps.
        if (series.kind === 'step') d.push(`H${f(sx(x[i]))}V${f(sy(v))}`);
        else d.push(`L${f(sx(x[i]))} ${f(sy(v))}`);
      });
    }
    const fill = series.kind === 'bars' ? `fill="${escapeXml(series.stroke)}" fill-opacity="0.75"` : 'fill="none"';
    const dash = series.dash ? ` stroke-dasharray="${series.dash.join(' ')}"` : '';
    out.push(`<path data-series="${escapeXml(series.label)}" d="${d.join('')}" stroke="${escapeXml(series.stroke)}" stroke-width="1.75"${dash} ${fill}><title>${escapeXml(series.label)}</title></path>`);
  }
  out.push('</g>');
  // The legend, three entries a row.
  out.push(`<g class="legend" fill="${escapeXml(ink)}">`);
  figure.series.forEach((series, k) => {
    const lx = margin.left + (k % 3) * (plotW / 3), ly = margin.top + plotH + 54 + Math.floor(k / 3) * 18;
    const dash = series.dash ? ` stroke-dasharray="${series.dash.join(' ')}"` : '';
    out.push(`<line x1="${f(lx)}" x2="${f(lx + 22)}" y1="${ly - 4}" y2="${ly - 4}" stroke="${escapeXml(series.stroke)}" stroke-width="2.5"${dash}/>`);
    out.push(`<text x="${f(lx + 28)}" y="${ly}">${escapeXml(series.label)}</text>`);
  });
  out.push('</g>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * A PNG of a chart: uPlot's canvas (plot, axes and their labels) on the page
 * colour, with the legend (HTML on screen) drawn below it.
 */
export function chartPng(chart) {
  const source = chart.canvas;
  const scale = source.width / (source.clientWidth || source.width);
  const rowHeight = Math.round(20 * scale);
  const perRow = 3;
  const rows = Math.ceil(chart.figure.series.length / perRow);
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = source.height + rows * rowHeight + Math.round(8 * scale);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = cssColour('--page', '#fff');
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(source, 0, 0);
  ctx.font = `${Math.round(12 * scale)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  const column = canvas.width / perRow;
  chart.figure.series.forEach((series, k) => {
    const x = (k % perRow) * column + 10 * scale, y = source.height + Math.floor(k / perRow) * rowHeight + rowHeight / 2 + 4 * scale;
    ctx.strokeStyle = series.stroke;
    ctx.lineWidth = 2.5 * scale;
    ctx.setLineDash((series.dash ?? []).map((v) => v * scale));
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 22 * scale, y);
    ctx.stroke();
    ctx.fillStyle = cssColour('--ink', '#1b1f24');
    ctx.fillText(series.label, x + 28 * scale, y);
  });
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no PNG'))), 'image/png'));
}

// ---- saving --------------------------------------------------------------

/** Saves a Blob as a file: a Blob URL and an <a download>, no network. */
export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference by now; the URL is not needed again.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function copyText(text) {
  await navigator.clipboard.writeText(text);
}

const button = (text, label) => {
  const element = Object.assign(document.createElement('button'), { type: 'button', textContent: text });
  if (label) element.setAttribute('aria-label', label);
  return element;
};

// Numbers of an older input (dimmed while the new ones are computed) or an
// empty table are not exported: the note says why instead.
function unavailable(element) {
  if (element.closest('.stale')) return 'Wait for the new numbers.';
  if (element.closest('[hidden]')) return 'Nothing to export.';
  return '';
}

function tableBar(table) {
  const name = table.dataset.export;
  const what = table.closest('[aria-label]')?.getAttribute('aria-label') ?? name;
  const bar = Object.assign(document.createElement('div'), { className: 'export-bar' });
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', `Export: ${what}`);
  const select = document.createElement('select');
  select.setAttribute('aria-label', `Format for ${what}`);
  select.dataset.exportFormat = name;
  for (const [key, format] of Object.entries(tableFormats)) select.append(new Option(format.label, key));
  const copy = button('Copy', `Copy ${what}`);
  const save = button('Download', `Download ${what}`);
  copy.dataset.exportCopy = name;
  save.dataset.exportDownload = name;
  const note = Object.assign(document.createElement('span'), { className: 'note' });
  note.setAttribute('role', 'status');
  const text = () => {
    const why = unavailable(table) || (table.tBodies[0]?.rows.length ? '' : 'Nothing to export.');
    if (why) {
      note.textContent = why;
      return null;
    }
    note.textContent = '';
    return tableFormats[select.value].write(tableModel(table));
  };
  copy.addEventListener('click', async () => {
    const body = text();
    if (body === null) return;
    try {
      await copyText(body);
      note.textContent = `Copied as ${tableFormats[select.value].label}.`;
    } catch {
      note.textContent = 'The browser refused to copy: use Download.';
    }
  });
  save.addEventListener('click', () => {
    const body = text();
    if (body === null) return;
    const format = tableFormats[select.value];
    download(`mdsd-${name}.${format.extension}`, new Blob([body], { type: `${format.type};charset=utf-8` }));
  });
  bar.append('Table as ', select, ' ', copy, ' ', save, ' ', note);
  return bar;
}

function chartBar(element, charts) {
  const name = element.dataset.export;
  const bar = Object.assign(document.createElement('div'), { className: 'export-bar' });
  bar.setAttribute('role', 'group');
  const what = element.getAttribute('aria-label') ?? name;
  bar.setAttribute('aria-label', `Export: ${what}`);
  const png = button('PNG', `Download ${what} as PNG`);
  const svg = button('SVG', `Download ${what} as SVG`);
  png.dataset.exportPng = name;
  svg.dataset.exportSvg = name;
  const note = Object.assign(document.createElement('span'), { className: 'note' });
  note.setAttribute('role', 'status');
  const chart = async () => {
    const { chartOf } = await charts();
    const found = chartOf(element);
    const why = unavailable(element) || (found?.canvas && found.figure ? '' : 'Nothing drawn yet.');
    note.textContent = why;
    return why ? null : found;
  };
  png.addEventListener('click', async () => {
    const found = await chart();
    if (found) download(`mdsd-${name}.png`, await chartPng(found));
  });
  svg.addEventListener('click', async () => {
    const found = await chart();
    if (found) download(`mdsd-${name}.svg`, new Blob([chartSvg(found.figure)], { type: 'image/svg+xml;charset=utf-8' }));
  });
  bar.append('Chart as ', png, ' ', svg, ' ', note);
  return bar;
}

/**
 * Adds the export buttons: after each `table[data-export]`'s scroll box,
 * under each chart with `data-export`, and to `#result-export` for the
 * result JSON, which `resultJson()` gives (a Promise of the text, or null).
 */
export function setupExports({ resultJson }) {
  const charts = () => import('./charts.mjs');
  for (const table of document.querySelectorAll('table[data-export]')) {
    (table.closest('.table-wrap') ?? table).after(tableBar(table));
  }
  for (const element of document.querySelectorAll('.chart[data-export]')) element.after(chartBar(element, charts));
  const box = document.getElementById('result-export');
  if (!box) return;
  const copy = button('Copy JSON', 'Copy JSON: the whole result');
  const save = button('Download JSON', 'Download JSON: the whole result');
  copy.id = 'result-copy';
  save.id = 'result-download';
  const note = Object.assign(document.createElement('span'), { className: 'note' });
  note.setAttribute('role', 'status');
  const text = async () => {
    const why = unavailable(box);
    const body = why ? null : await resultJson();
    note.textContent = why || (body === null ? 'Nothing to export.' : '');
    return body;
  };
  copy.addEventListener('click', async () => {
    const body = await text();
    if (body === null) return;
    try {
      await copyText(body);
      note.textContent = 'Copied.';
    } catch {
      note.textContent = 'The browser refused to copy: use Download.';
    }
  });
  save.addEventListener('click', async () => {
    const body = await text();
    if (body !== null) download('mdsd-result.json', new Blob([body], { type: 'application/json;charset=utf-8' }));
  });
  box.append('Whole result (as the calculator returns it, certificates included): ', copy, ' ', save, ' ', note);
}
