// The two lookups every part of the page uses: an element by id, and the
// inputs form (whose controls are reached by name: form.drafts, form.lp).
export const $ = (id) => document.getElementById(id);
export const form = $('inputs');
