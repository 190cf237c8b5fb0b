// The progress bar beside the results' title, with Cancel: for the sweeps
// (k of N) and for a Monte Carlo check, which gives a percentage and an
// estimate of the time left. The estimate assumes the steps still to run
// take as long as the ones done (each step of a run costs about the same):
// time left = elapsed * (1 - f) / f at fraction f, shown once a second has
// passed and 1% is done, so that it is not a guess from the first moments.
// (No import of dom.mjs: the Node tests load the text functions here.)
const $ = (id) => document.getElementById(id);

/** "about 12 s left", "about 3 min left" ('' while too early to say). */
export function timeLeftText(fraction, elapsedMs) {
  if (!(fraction > 0.01) || elapsedMs < 1000 || fraction >= 1) return '';
  const seconds = (elapsedMs * (1 - fraction)) / fraction / 1000;
  if (seconds < 1) return 'less than a second left';
  if (seconds < 90) return `about ${Math.round(seconds)} s left`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min left`;
  return `about ${(seconds / 3600).toFixed(1)} h left`;
}

/** The words beside the bar for a Monte Carlo check: percentage, steps, time left. */
export function simulationProgressText(done, total, elapsedMs) {
  const fraction = total > 0 ? done / total : 0;
  const percent = Math.floor(fraction * 100);
  const left = timeLeftText(fraction, elapsedMs);
  return `Monte Carlo check: ${percent}% (${done.toLocaleString('en')} of ${total.toLocaleString('en')} steps)${left ? `, ${left}` : ''}`;
}

let delayed = null;

/** Shows the bar at `fraction` (null: indeterminate) with `text` beside it. */
export function showProgress(fraction, text = '') {
  clearTimeout(delayed);
  const bar = $('progress-bar');
  if (fraction === null) bar.removeAttribute('value');
  else bar.value = fraction;
  if (text) bar.setAttribute('aria-valuetext', text);
  else bar.removeAttribute('aria-valuetext');
  $('progress-text').textContent = text;
  $('progress').hidden = false;
}

/** An indeterminate bar after `ms` unless something else shows or hides it first (short jobs show none). */
export function showProgressSoon(ms) {
  clearTimeout(delayed);
  delayed = setTimeout(() => showProgress(null), ms);
}

export function hideProgress() {
  clearTimeout(delayed);
  $('progress').hidden = true;
  $('progress-bar').value = 0;
  $('progress-text').textContent = '';
}
