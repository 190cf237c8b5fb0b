// The Embed dialog: a <mdsd-calculator> snippet for the current inputs (the
// element loads from this site's embed/embed.mjs) and an iframe of the
// compact view for pages that strip scripts.
import { $, form } from './dom.mjs';
import { loaded, fieldKind, fieldValues } from './form.mjs';
import { currentHash, pageUrl } from './link.mjs';

const escapeAttribute = (text) => String(text).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function compactHash() {
  const { hash } = currentHash();
  return hash.includes('view=compact') ? hash : `${hash}&view=compact`;
}

/** {element, iframe, note}: the two snippets, and what the iframe's link leaves out. */
export function embedSnippets() {
  const attributes = [];
  const synthetic = loaded.target?.synthetic;
  if (synthetic) attributes.push(['synthetic', synthetic.vocab], ['seed', synthetic.seed]);
  else {
    for (const field of ['target', 'draft']) {
      const name = fieldKind(field) === 'logits' ? `${field}-logits` : field;
      let values;
      try { values = fieldValues(field); } catch { values = []; }
      attributes.push([name, Array.from(values, (v) => (v === -Infinity ? '-inf' : String(v))).join(',')]);
    }
  }
  attributes.push(['drafts', form.drafts.value.trim()]);
  if (['target', 'draft'].some((field) => fieldKind(field) === 'logits')) {
    for (const key of ['temperature', 'top_k', 'top_p']) {
      if (form[key].value.trim() !== '') attributes.push([key.replace('_', '-'), form[key].value.trim()]);
    }
  }
  if (form.lp.checked) attributes.push(['lp', form.glpk.checked && !$('glpk-box').hidden ? 'glpk' : '']);
  const element = `<mdsd-calculator ${attributes.map(([k, v]) => (v === '' ? k : `${k}="${escapeAttribute(v)}"`)).join(' ')}></mdsd-calculator>`;
  const script = `<script type="module" src="${pageUrl('embed/embed.mjs')}"></script>`;
  const iframe = `<iframe src="${escapeAttribute(pageUrl(compactHash()))}" title="MDSD calculator" width="100%" height="720" style="border:0" loading="lazy"></iframe>`;
  const { left } = currentHash();
  const note = left.length
    ? 'The element holds every number in its attributes (a long snippet); the iframe\'s link cannot hold them and shows the built-in example in their place.'
    : '';
  return { element: `${script}\n${element}`, iframe, note };
}

$('embed').addEventListener('click', () => {
  const { element, iframe, note } = embedSnippets();
  $('embed-snippet').value = element;
  $('embed-iframe').value = iframe;
  $('embed-note').textContent = note;
  $('embed-dialog').showModal();
});
$('embed-copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('embed-snippet').value);
    $('embed-note').textContent = 'Copied.';
  } catch {
    $('embed-snippet').select();
    $('embed-note').textContent = 'Press Ctrl+C (⌘C) to copy.';
  }
});
