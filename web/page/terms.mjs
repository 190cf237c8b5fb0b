// Definitions of the terms on screen. Each term is a button (keyboard
// reachable, described by its definition for screen readers) that opens one
// shared popover showing the definition from the page's "Terms" list, so each
// definition is written once, in index.html. The popover is a native popover
// invoked by the button (popovertarget): Escape and a click outside close it,
// and CSS anchors it to the button.
const popover = document.getElementById('term-popover');

/** A term button for the definition `def-${key}` in index.html, showing `text`. */
export function termButton(key, text) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'term';
  button.dataset.term = key;
  button.setAttribute('aria-describedby', `def-${key}`);
  button.textContent = text;
  if (popover) button.popoverTargetElement = popover;
  return button;
}

// The definition without ids, so that the copy does not duplicate them.
function copyOf(element) {
  const copy = element.cloneNode(true);
  copy.removeAttribute('id');
  for (const child of copy.querySelectorAll('[id]')) child.removeAttribute('id');
  return copy.childNodes;
}

// Scrolls to a heading or term of "How it works" and moves the focus there.
// Not a #fragment link: the page keeps its inputs in the URL hash.
function goTo(id) {
  const target = document.getElementById(id);
  if (!target) return;
  if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target.scrollIntoView({ block: 'start' });
  target.focus({ preventScroll: true });
}

if (popover) {
  let current = null;
  for (const button of document.querySelectorAll('button.term')) button.popoverTargetElement = popover;
  // A click fills the popover before the button's default action opens it.
  document.addEventListener('click', (event) => {
    const button = event.target.closest?.('button.term');
    if (!button) return;
    const key = button.dataset.term;
    const term = document.getElementById(`term-${key}`);
    const definition = document.getElementById(`def-${key}`);
    if (!term || !definition) return;
    button.popoverTargetElement = popover;
    current = key;
    popover.querySelector('.term-popover-title').replaceChildren(...copyOf(term));
    popover.querySelector('.term-popover-body').replaceChildren(...copyOf(definition));
    popover.dataset.term = key;
  });
  document.getElementById('term-popover-more').addEventListener('click', () => {
    popover.hidePopover();
    if (current) goTo(`term-${current}`);
  });
  document.getElementById('term-popover-close').addEventListener('click', () => popover.hidePopover());
}

// Also the skip link: as a plain #fragment it would replace the inputs in the hash.
for (const control of document.querySelectorAll('[data-goto]')) {
  control.addEventListener('click', (event) => {
    event.preventDefault();
    goTo(control.dataset.goto);
  });
}

// The address of this page, without the inputs, for the BibTeX entry.
const citeUrl = document.getElementById('cite-url');
if (citeUrl) citeUrl.textContent = location.href.replace(/#.*$/, '');
