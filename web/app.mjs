// The calculator page: reads the inputs, asks the worker, shows the result.
// Every number carries data-testid (its key in the result JSON) and
// data-value (full precision).
const example = await (await fetch(new URL('./examples/builtin.json', import.meta.url))).json();
const worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });

const form = document.getElementById('inputs');
const fields = ['target', 'draft', 'drafts'];
const methodLabels = {
  with_replacement: 'with replacement (i.i.d.)',
  without_replacement: 'without replacement',
  greedy: 'greedy',
};

// "0.3, 0.4 0.3" or "[0.3, 0.4, 0.3]" to numbers; the core validates values.
function parseNumbers(text, field) {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try { return JSON.parse(trimmed); } catch { throw inputError(field, `${field}: not a valid JSON array`); }
  }
  const tokens = trimmed.split(/[\s,;]+/).filter(Boolean);
  return tokens.map((token, i) => {
    const value = Number(token);
    if (token === '' || Number.isNaN(value)) throw inputError(`${field}[${i}]`, `${field}[${i}]: "${token}" is not a number`);
    return value;
  });
}

function inputError(field, message) {
  return Object.assign(new Error(message), { field });
}

function readRequest() {
  return {
    target: parseNumbers(form.target.value, 'target'),
    draft: parseNumbers(form.draft.value, 'draft'),
    drafts: form.drafts.value.trim() === '' ? null : Number(form.drafts.value),
    lp: form.lp.checked,
  };
}

function showError(field, message) {
  const root = /^(target|draft|drafts)\b/.exec(field)?.[1];
  const slot = document.getElementById(`${root ?? 'request'}-error`);
  slot.textContent = message;
  if (root) form[root].setAttribute('aria-invalid', 'true');
}

function clearErrors() {
  for (const name of [...fields, 'request']) document.getElementById(`${name}-error`).textContent = '';
  for (const name of fields) form[name].removeAttribute('aria-invalid');
}

function numberCell(testid, value) {
  const cell = document.createElement('td');
  cell.className = 'number';
  if (value === undefined) return cell;
  cell.dataset.testid = testid;
  cell.dataset.value = String(value);
  cell.textContent = value.toFixed(6);
  return cell;
}

function render(result) {
  const body = document.querySelector('#results tbody');
  body.replaceChildren();
  for (const [method, outcome] of Object.entries(result.optimal ?? {})) {
    const row = document.createElement('tr');
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = methodLabels[method] ?? method;
    row.append(name);
    if ('error' in outcome) {
      const cell = document.createElement('td');
      cell.colSpan = 3;
      cell.className = 'error';
      cell.dataset.testid = `optimal.${method}.error`;
      cell.textContent = outcome.error;
      row.append(cell);
    } else {
      const size = document.createElement('td');
      size.dataset.testid = `optimal.${method}.certificate_size`;
      size.dataset.value = String(outcome.certificate_size);
      size.textContent = String(outcome.certificate_size);
      const lp = result.lp?.[method];
      const lpCell = lp && 'error' in lp
        ? Object.assign(document.createElement('td'), { textContent: lp.error, className: 'error' })
        : numberCell(`lp.${method}.alpha`, lp?.alpha);
      row.append(numberCell(`optimal.${method}.alpha`, outcome.alpha), size, lpCell);
    }
    body.append(row);
  }
  const warnings = document.getElementById('warnings');
  warnings.replaceChildren(...result.warnings.map((text) => Object.assign(document.createElement('li'), { textContent: text })));
}

let latest = 0;
function compute() {
  clearErrors();
  const status = document.getElementById('status');
  let request;
  try {
    request = readRequest();
  } catch (error) {
    document.querySelector('#results tbody').replaceChildren();
    showError(error.field, error.message);
    status.textContent = 'Fix the input to compute.';
    return;
  }
  const id = ++latest;
  status.textContent = 'Computing…';
  worker.postMessage({ id, request });
}

worker.onmessage = ({ data }) => {
  if (data.id !== latest) return;  // a newer input superseded this one
  const status = document.getElementById('status');
  if (data.error) {
    document.querySelector('#results tbody').replaceChildren();
    document.getElementById('warnings').replaceChildren();
    showError(data.error.field, data.error.message);
    status.textContent = 'Fix the input to compute.';
    return;
  }
  render(data.result);
  status.textContent = `Vocabulary ${data.result.vocab}, ${data.result.drafts} drafts.`;
};

form.target.value = example.target.join(', ');
form.draft.value = example.draft.join(', ');
form.drafts.value = example.drafts;
form.lp.checked = example.lp;
form.addEventListener('input', compute);
compute();
