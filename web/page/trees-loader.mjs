// Loads the Draft trees panel (trees.mjs, with its worker and chart) when it
// is wanted: at once for a link that carries its keys (tree_*), else once
// the first numbers are on screen, or as soon as the person reaches for the
// panel (a pointer over it, focus in it).
import { firstNumbers } from './jobs.mjs';

const panel = document.getElementById('trees');
let loading = null;
const loadPanel = () => { loading ??= import('./trees.mjs'); return loading; };

if ([...new URLSearchParams(location.hash.replace(/^#/, '')).keys()].some((key) => key.startsWith('tree_'))) loadPanel();
firstNumbers.then(loadPanel);
for (const type of ['pointerover', 'focusin']) panel?.addEventListener(type, loadPanel, { once: true, passive: true });
