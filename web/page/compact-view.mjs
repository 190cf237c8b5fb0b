// The compact view (view=compact in the hash; the Embed dialog's iframe): the
// results alone, so that the first α* shows in a 720-px frame without
// scrolling. The inputs fold away behind "Change the inputs"; "How it works"
// and the Dataset panel are left to the full page, which the view links to
// (in a new tab: the frame stays as the host page placed it).
import { $ } from './dom.mjs';
import { currentHash, pageUrl } from './link.mjs';

const toggle = $('compact-inputs');
const full = $('compact-full');

function setOpen(open) {
  document.body.classList.toggle('compact-inputs-open', open);
  toggle.setAttribute('aria-expanded', String(open));
  toggle.textContent = open ? 'Hide the inputs' : 'Change the inputs';
}

toggle.addEventListener('click', () => {
  const open = !document.body.classList.contains('compact-inputs-open');
  setOpen(open);
  if (open) $('inputs').querySelector('textarea:not([hidden]), select, input')?.focus();
});

// The full page for the same inputs: the current hash without view=compact.
function fullUrl() {
  const hash = currentHash().hash.replace(/&?view=compact/, '').replace('#&', '#');
  return pageUrl(hash);
}
for (const event of ['pointerdown', 'focus', 'click']) full.addEventListener(event, () => { full.href = fullUrl(); });
