// A bad input is flagged next to its field: the message in the field's
// error slot (linked by aria-describedby), the control marked aria-invalid.
// The core names the field of its messages ("draft[4]", "target.top_p",
// "simulate.samples"); slotFor maps that name to the slot on screen.
import { $, form } from './dom.mjs';

const errorSlots = ['target', 'draft', 'drafts', 'temperature', 'top_k', 'top_p', 'methods', 'verifiers', 'lp', 'request'];
const invalidControls = { target: 'target', draft: 'draft', drafts: 'drafts', temperature: 'temperature', top_k: 'top_k', top_p: 'top_p' };

export function slotFor(field) {
  const sampling = /^(?:target|draft)\.(temperature|top_k|top_p)\b/.exec(field);
  if (sampling) return sampling[1];
  const root = /^(drafts|draft|target|temperature|top_k|top_p|methods|verifiers|lp|simulate|samples)\b/.exec(field)?.[1];
  if (root === 'simulate' || root === 'samples') return 'lp';
  return root ?? 'request';
}

export function showError(field, message) {
  const slot = slotFor(field);
  $(`${slot}-error`).textContent = message;
  const control = /^samples\b/.test(field) ? 'samples' : invalidControls[slot];
  if (control) form[control].setAttribute('aria-invalid', 'true');
  if (slot === 'target' || slot === 'draft') $(`${slot}-box`).classList.add('invalid');
}

export function showRequestError(message) {
  $('request-error').textContent = message;
}

export function clearErrors() {
  for (const slot of errorSlots) $(`${slot}-error`).textContent = '';
  for (const control of [...Object.values(invalidControls), 'samples']) form[control].removeAttribute('aria-invalid');
  for (const field of ['target', 'draft']) $(`${field}-box`).classList.remove('invalid');
}
