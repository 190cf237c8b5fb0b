// "Copy link" and what it says. A distribution too long for a link (more
// than linkLimit numbers) is left out of it; the note beside the button says
// so in plain words whenever that is the case, before and after a copy, so
// that nobody sends a link believing it holds their data.
import { $ } from './dom.mjs';
import { currentHash, leftOutText, pageUrl } from './link.mjs';
import { checkpoint, pushEntry } from './history.mjs';

/** The note beside Copy link for what the link cannot hold ([] : none). */
export function showLinkLimit(left) {
  const note = $('share-limit');
  note.textContent = leftOutText(left);
  note.hidden = left.length === 0;
}

/** Copy link: the copied state is a point to come back to (later typing goes to a new entry). */
export async function copyLink() {
  const { hash, left } = currentHash();
  const url = pageUrl(hash);
  checkpoint();
  pushEntry();
  let copied = true;
  try { await navigator.clipboard.writeText(url); } catch { copied = false; }
  const without = left.length ? ` It does not hold ${left.map(({ field }) => (field === 'target' ? 'p' : 'q')).join(' and ')} (see below).` : '';
  $('share-note').textContent = `${copied ? 'Link copied.' : `Link: ${url}`}${without}`;
  $('share-note').dataset.url = url;
  showLinkLimit(left);
}
