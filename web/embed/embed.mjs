// <mdsd-calculator>: the calculator as an element for any page.
//
//   <script type="module" src="https://…/embed/embed.mjs"></script>
//   <mdsd-calculator target="0.3,0.4,0.3" draft="0.6,0.3,0.1" drafts="2"></mdsd-calculator>
//
// Attributes: target, draft (numbers), or target-logits, draft-logits with
// temperature, top-k, top-p; or synthetic="152064" seed="1"; drafts; lp (lp="glpk":
// with GLPK's cross-check too; both go into the link to the full calculator).
// It shows alpha* and |H| of each method, first from the worker's small
// first module (page/first-numbers.mjs), then with the verifiers' rows from
// the full calculator, which loads once those numbers are on screen (at once
// for an input the first module cannot answer or finds an error in: the
// core's message is the one shown).
// Everything lives in a shadow root (no global CSS, the host's styles are
// left alone). The calculator (the worker and its WebAssembly module) loads
// only when the element comes near the viewport, and only from the site this
// file was loaded from (embed/embed.mjs: the site root is one folder up).
import { rangeOf } from './values.mjs';

const site = new URL('../', import.meta.url);
// Names for the keys this file knows; any other key of the result is shown by its own name.
const methodLabels = { with_replacement: 'with replacement', without_replacement: 'without replacement', greedy: 'greedy', top_n: 'top-n (deterministic)' };
const verifierLabels = {
  rrs_with_replacement: 'RRS, with replacement', rrs_without_replacement: 'RRS, without replacement',
  kseq: 'K-SEQ', greedy: 'greedy verifier', spechub: 'SpecHub', optimal_lp: 'optimal (LP plan)', exact_match: 'exact match (top-n)',
  optimal_with_replacement: 'optimal (with replacement)',
};

// Inherited properties would flow in from the host page (a host rule such as
// * {color: red; font-family: serif} matches the element itself and beats
// :host): :host resets what it inherits, and .root, which the host's rules
// cannot reach, sets the element's own font and colour for everything inside.
const css = `
:host { all: initial; display: block; box-sizing: border-box; max-width: 42rem; margin: 1rem 0; padding: 0.9rem 1rem;
  border: 1px solid #d0d7de; border-radius: 8px; background: #fff; contain: content; }
.root { all: initial; display: block; color: #1b1f24; color-scheme: light;
  font: 400 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; text-align: left; }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.title { font-weight: 650; margin: 0 0 0.5rem; font-size: 1rem; }
.grid { display: grid; grid-template-columns: 1fr 1fr 6rem; gap: 0.5rem 0.75rem; align-items: start; }
@media (max-width: 520px) { .grid { grid-template-columns: 1fr; } }
label { display: flex; flex-direction: column; gap: 0.2rem; font-weight: 600; font-size: 0.875rem; }
textarea, input { font: 0.85rem ui-monospace, Menlo, monospace; color: inherit; padding: 0.3rem 0.4rem;
  border: 1px solid #8c959f; border-radius: 5px; background: #fff; width: 100%; }
textarea { resize: vertical; min-height: 3.2rem; }
[aria-invalid=true] { border-color: #b42318; box-shadow: 0 0 0 1px #b42318; }
:focus-visible { outline: 2px solid #0a58ca; outline-offset: 2px; }
.error { color: #b42318; font-size: 0.85rem; margin: 0.3rem 0 0; min-height: 0; }
.status { color: #57606a; font-size: 0.85rem; margin: 0.5rem 0 0.25rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.3rem 0.4rem; border-bottom: 1px solid #d0d7de; }
thead th { color: #57606a; font-weight: 600; font-size: 0.8rem; }
.number { text-align: right; font: 0.85rem ui-monospace, Menlo, monospace; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: #57606a; font-size: 0.85rem; }
.stale table { opacity: 0.4; }
ul { margin: 0.4rem 0 0; padding-left: 1.1rem; color: #7a4b00; font-size: 0.85rem; }
a { color: #0a58ca; }
.foot { margin: 0.5rem 0 0; font-size: 0.8rem; color: #57606a; }
`;

function parseList(text) {
  return text.split(/[\s,;]+/).filter(Boolean).map((token) => {
    const lower = token.toLowerCase();
    if (lower === '-inf' || lower === '-infinity') return -Infinity;
    return token.trim() === '' ? NaN : Number(token);
  });
}

// A worker from this file's folder; a cross-origin module worker is started
// through a same-origin blob that imports it (the server must send CORS).
function startWorker() {
  const url = new URL('page/worker.mjs', site);
  if (url.origin === location.origin) return new Worker(url, { type: 'module' });
  const blob = new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' });
  return new Worker(URL.createObjectURL(blob), { type: 'module' });
}

class MdsdCalculatorElement extends HTMLElement {
  static observedAttributes = ['target', 'draft', 'target-logits', 'draft-logits', 'drafts', 'temperature', 'top-k', 'top-p', 'lp', 'synthetic', 'seed'];
  #root;
  #worker = null;
  #coreAsked = false;   // the full calculator, asked for after the first numbers
  #observer = null;
  #latest = 0;
  #timer = null;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.innerHTML = `<style>${css}</style><div class="root">
      <p class="title" part="title">Multi-draft speculative decoding: optimal acceptance α*</p>
      <div class="grid">
        <label>Target p <textarea name="target" rows="2" spellcheck="false" aria-describedby="error"></textarea></label>
        <label>Draft q <textarea name="draft" rows="2" spellcheck="false" aria-describedby="error"></textarea></label>
        <label>Drafts n <input name="drafts" type="text" inputmode="numeric" autocomplete="off" spellcheck="false" aria-describedby="error"></label>
      </div>
      <p class="error" id="error" role="alert"></p>
      <p class="status" role="status" aria-live="polite">The calculator loads when it comes into view.</p>
      <div class="results"><table><thead><tr><th scope="col">Draft sampling</th><th scope="col" class="number">α*</th><th scope="col" class="number">|H|</th></tr></thead><tbody></tbody></table>
      <ul class="warnings"></ul></div>
      <p class="foot"><a target="_blank" rel="noopener">Open in the full calculator</a> · computed in your browser</p></div>`;
    for (const name of ['target', 'draft', 'drafts']) {
      this.#field(name).addEventListener('input', () => {
        clearTimeout(this.#timer);
        this.#root.querySelector('.results').classList.add('stale');
        this.#timer = setTimeout(() => this.#compute(), name === 'drafts' ? 0 : 150);
      });
    }
  }

  #field(name) {
    return this.#root.querySelector(`[name="${name}"]`);
  }

  #fillFields() {
    const synthetic = this.getAttribute('synthetic');
    for (const field of ['target', 'draft']) {
      const box = this.#field(field);
      const logits = this.getAttribute(`${field}-logits`);
      if (synthetic) {
        box.value = `synthetic pair, V = ${synthetic}, seed ${this.getAttribute('seed') ?? 1}`;
        box.readOnly = true;
      } else {
        box.value = (logits ?? this.getAttribute(field) ?? '').split(/[\s,;]+/).filter(Boolean).join(', ');
        box.readOnly = false;
      }
      box.previousSibling.textContent = `${field === 'target' ? 'Target p' : 'Draft q'}${logits && !synthetic ? ' (logits)' : ''} `;
    }
    this.#field('drafts').value = this.getAttribute('drafts') ?? '2';
  }

  connectedCallback() {
    this.#fillFields();
    this.#updateLink();
    if (this.#worker || this.#observer) return;
    if (!('IntersectionObserver' in window)) return this.#start();
    this.#observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        this.#observer.disconnect();
        this.#observer = null;
        this.#start();
      }
    }, { rootMargin: '400px 0px' });
    this.#observer.observe(this);
  }

  disconnectedCallback() {
    this.#observer?.disconnect();
    this.#observer = null;
    this.#worker?.terminate();
    this.#worker = null;
    this.#coreAsked = false;   // a new worker starts without it
  }

  attributeChangedCallback() {
    if (!this.isConnected) return;
    this.#fillFields();
    if (this.#worker) this.#compute();
  }

  #start() {
    this.#status('Loading the calculator…');
    try {
      this.#worker = startWorker();
    } catch (error) {
      this.#status(`The calculator could not start: ${error.message}`);
      return;
    }
    this.#worker.onmessage = ({ data }) => this.#onMessage(data);
    this.#worker.onerror = (event) => {
      event.preventDefault?.();
      this.#status('The calculator could not load (is embed/embed.mjs served with page/worker.mjs and generated/web/?).');
    };
    this.#compute();
  }

  #status(text) {
    this.#root.querySelector('.status').textContent = text;
  }

  #distribution(field) {
    const synthetic = this.getAttribute('synthetic');
    if (synthetic) return { synthetic: { vocab: Number(synthetic), seed: Number(this.getAttribute('seed') ?? 1) } };
    const values = Float64Array.from(parseList(this.#field(field).value));
    const bad = values.findIndex((v) => Number.isNaN(v));
    if (bad >= 0) throw Object.assign(new Error(`${field}[${bad}]: not a number`), { field });
    if (this.hasAttribute(`${field}-logits`)) {
      const out = { logits: values, temperature: Number(this.getAttribute('temperature') ?? 1) };
      if (this.hasAttribute('top-k')) out.top_k = Number(this.getAttribute('top-k'));
      if (this.hasAttribute('top-p')) out.top_p = Number(this.getAttribute('top-p'));
      return out;
    }
    return { values };
  }

  // n as typed, read strictly: a number input would read "1,5" as 15.
  // lp="glpk": the LP cross-check with GLPK too (its module is fetched only then).
  #lp() {
    if (!this.hasAttribute('lp')) return false;
    return this.getAttribute('lp') === 'glpk' ? { glpk: true } : true;
  }

  #drafts() {
    const text = this.#field('drafts').value.trim();
    const fail = (message) => { throw Object.assign(new Error(`drafts: ${message}`), { field: 'drafts' }); };
    if (text === '') fail('empty; enter an integer from 1 to 64');
    if (!/^\d+$/.test(text)) fail(`"${text}" is not an integer`);
    const drafts = Number(text);
    if (drafts < 1 || drafts > 64) fail(`must be an integer from 1 to 64, got ${text}`);
    return drafts;
  }

  #compute() {
    if (!this.#worker) return;
    const error = this.#root.querySelector('.error');
    error.textContent = '';
    for (const name of ['target', 'draft', 'drafts']) this.#field(name).removeAttribute('aria-invalid');
    let job;
    try {
      job = {
        target: this.#distribution('target'), draft: this.#distribution('draft'),
        drafts: this.#drafts(), lp: this.#lp(), sweeps: {},
      };
    } catch (problem) {
      this.#latest++;
      this.#showError(problem.field, problem.message);
      return;
    }
    this.#updateLink();
    this.#root.querySelector('.results').classList.add('stale');
    for (const cell of this.#root.querySelectorAll('[data-testid]')) delete cell.dataset.testid;
    this.#status('Computing…');
    this.#worker.postMessage({ id: ++this.#latest, job });
  }

  #showError(field, message) {
    this.#root.querySelector('.error').textContent = message;
    const root = /^(drafts|draft|target)/.exec(field ?? '')?.[1];
    if (root) this.#field(root).setAttribute('aria-invalid', 'true');
    this.#root.querySelector('tbody').replaceChildren();
    this.#root.querySelector('.warnings').replaceChildren();
    this.#root.querySelector('.results').classList.remove('stale');
    this.#status('Fix the input to compute.');
  }

  #onMessage(data) {
    if (data.id !== this.#latest) return;
    if (data.type === 'error') this.#showError(data.error.field, data.error.message);
    // alpha* and |H| come first from the worker's small first module; the
    // full calculator, asked for once they are on screen, adds the
    // verifiers' rows (and answers what the first module cannot).
    if (data.type === 'result' || data.type === 'first') this.#render(data.result);
    if (data.type === 'first' && !this.#coreAsked) {
      this.#coreAsked = true;
      this.#worker.postMessage({ type: 'load-core' });
    }
  }

  #render(result) {
    const cell = (testid, value, digits) => {
      const td = document.createElement('td');
      td.className = 'number';
      if (value === undefined) return td;
      td.dataset.testid = testid;
      td.dataset.value = String(value);
      td.title = String(value);
      td.textContent = digits === 0 ? value.toLocaleString('en') : value.toFixed(digits);
      return td;
    };
    // An acceptance: one number, or the interval the core bounds it by (both ends, never one number).
    const acceptance = (prefix, outcome) => {
      const range = rangeOf(outcome);
      if (!range || range.point) return cell(`${prefix}.alpha`, range?.low, 10);
      const td = document.createElement('td');
      td.className = 'number';
      const end = (k, value) => Object.assign(document.createElement('span'), { textContent: value.toFixed(6), title: String(value) });
      const low = end(0, range.low), high = end(1, range.high);
      Object.assign(low.dataset, { testid: `${prefix}.interval.0`, value: String(range.low) });
      Object.assign(high.dataset, { testid: `${prefix}.interval.1`, value: String(range.high) });
      td.append(low, ' – ', high);
      return td;
    };
    const row = (label, ...cells) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = label;
      tr.append(th, ...cells);
      return tr;
    };
    const rows = Object.entries(result.optimal ?? {}).map(([method, outcome]) => ('error' in outcome
      ? row(methodLabels[method] ?? method.replaceAll('_', ' '), Object.assign(document.createElement('td'), { colSpan: 2, className: 'muted', textContent: outcome.error }))
      : row(methodLabels[method] ?? method.replaceAll('_', ' '), acceptance(`optimal.${method}`, outcome), cell(`optimal.${method}.certificate_size`, outcome.certificate_size, 0))));
    for (const [name, outcome] of Object.entries(result.verifiers ?? {})) {
      if ('error' in outcome) continue;
      rows.push(row(`${verifierLabels[name] ?? name.replaceAll('_', ' ')}${outcome.exact === false ? ' (estimate)' : ''}`, acceptance(`verifiers.${name}`, outcome), cell('', undefined)));
    }
    this.#root.querySelector('tbody').replaceChildren(...rows);
    this.#root.querySelector('.warnings').replaceChildren(...result.warnings.map((text) => Object.assign(document.createElement('li'), { textContent: text })));
    this.#root.querySelector('.results').classList.remove('stale');
    this.#status(`Vocabulary ${result.vocab.toLocaleString('en')}, ${result.drafts} draft${result.drafts === 1 ? '' : 's'}.`);
  }

  #updateLink() {
    const parts = [];
    const synthetic = this.getAttribute('synthetic');
    if (synthetic) parts.push(`synthetic=${encodeURIComponent(synthetic)}`, `seed=${encodeURIComponent(this.getAttribute('seed') ?? 1)}`);
    else {
      for (const field of ['target', 'draft']) {
        const key = this.hasAttribute(`${field}-logits`) ? `${field}_logits` : field;
        parts.push(`${key}=${parseList(this.#field(field).value).map((v) => (v === -Infinity ? '-inf' : String(v))).join(',')}`);
      }
      for (const [attribute, key] of [['temperature', 'temperature'], ['top-k', 'top_k'], ['top-p', 'top_p']]) {
        if (this.hasAttribute(attribute)) parts.push(`${key}=${encodeURIComponent(this.getAttribute(attribute))}`);
      }
    }
    parts.push(`drafts=${encodeURIComponent(this.#field('drafts').value.trim())}`);
    if (this.hasAttribute('lp')) parts.push('lp=1');
    if (this.getAttribute('lp') === 'glpk') parts.push('glpk=1');
    this.#root.querySelector('a').href = new URL(`./#${parts.join('&')}`, site).href;
  }
}

if (!customElements.get('mdsd-calculator')) customElements.define('mdsd-calculator', MdsdCalculatorElement);
export { MdsdCalculatorElement };
