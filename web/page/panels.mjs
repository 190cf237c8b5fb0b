// The Dataset panel (dataset.mjs, with its file readers: about a fifth of the
// page's script) is not needed for the first numbers: it loads once they are
// on screen, or as soon as the person reaches for the panel (a pointer over
// it, focus in it). What they did in it before it had loaded (a file chosen
// or dropped, a button pressed, the form submitted) is done again once it has.
import { firstNumbers } from './jobs.mjs';

const panel = document.getElementById('dataset');
let loaded = false;
let loading = null;
const waiting = [];   // what to do again once dataset.mjs has wired the panel

function loadPanel() {
  loading ??= import('./dataset.mjs').then(() => {
    loaded = true;
    for (const replay of waiting.splice(0)) replay();
  });
  return loading;
}

firstNumbers.then(loadPanel);
for (const type of ['pointerover', 'focusin', 'dragenter']) panel?.addEventListener(type, loadPanel, { once: true, passive: true });

function held(type, handle) {
  panel?.addEventListener(type, (event) => {
    if (loaded) return;
    handle(event);
    loadPanel();
  }, { capture: true });
}
held('change', (event) => {
  const target = event.target;
  waiting.push(() => target.dispatchEvent(new Event('change', { bubbles: true })));
});
held('click', (event) => {
  const button = event.target.closest?.('button');
  if (!button || button.type === 'submit') return;
  waiting.push(() => button.click());
});
held('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  waiting.push(() => form.requestSubmit());
});
held('dragover', (event) => event.preventDefault());
held('drop', (event) => {
  event.preventDefault();
  const files = [...(event.dataTransfer?.files ?? [])];
  const target = event.target;
  waiting.push(() => {
    const transfer = new DataTransfer();
    for (const file of files) transfer.items.add(file);
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
});
