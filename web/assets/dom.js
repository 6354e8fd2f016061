// Building the page without ever parsing HTML: every text a user or the API supplied is set as
// text, so a client named "<script>" is shown as those characters (and the content policy
// would refuse the script anyway).

/** An element: `h('a', { href: '#/find', class: 'nav' }, 'Find Client')`. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) {
      el.addEventListener(name.slice(2), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the main region with `children`, gives it a title, and moves focus to it. */
export function show(title, ...children) {
  document.title = `${title} · caseledger`;
  const main = document.getElementById('main');
  main.replaceChildren(h('h1', {}, title), ...children.flat(Infinity).filter(Boolean));
  main.focus();
}

/** Says something to every user (screen readers hear it through the live region). */
export function announce(text, kind = 'info') {
  const status = document.getElementById('status');
  status.className = `status ${kind}`;
  status.textContent = text;
}

/** A labelled input; `hint` is read with it. */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  const parts = [h('label', { for: id }, label)];
  if (hint) {
    const hintId = `${id}-hint`;
    input.setAttribute('aria-describedby', hintId);
    parts.push(h('span', { class: 'hint', id: hintId }, hint));
  }
  parts.push(input);
  return h('div', { class: 'field' }, parts);
}

/** A select of `[value, label]` options. */
export function select(name, options, selected) {
  return h(
    'select',
    { name },
    options.map(([value, label]) => h('option', { value, selected: value === selected }, label)),
  );
}

/**
 * A table with a caption; `columns` are `[heading, cell(row)]`; an explicit row when there is
 * nothing. Sortable columns (`sort: true`) sort the rows shown, by the cell's text.
 */
export function table(caption, columns, rows, empty = 'None recorded.') {
  const body = h('tbody');
  const render = (list) => {
    body.replaceChildren(
      ...(list.length
        ? list.map((row) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row)))))
        : [h('tr', {}, h('td', { colspan: columns.length, class: 'none' }, empty))]),
    );
  };
  let order = rows;
  const headers = columns.map(([heading, cell, opts = {}]) => {
    if (!opts.sort) return h('th', { scope: 'col' }, heading);
    const th = h('th', { scope: 'col', 'aria-sort': 'none' });
    const button = h('button', {
      type: 'button',
      class: 'sort',
      onclick: () => {
        const ascending = th.getAttribute('aria-sort') !== 'ascending';
        for (const other of th.parentElement.children) other.setAttribute?.('aria-sort', 'none');
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        const text = (row) => String(opts.key ? opts.key(row) : cell(row)).toLowerCase();
        order = [...rows].sort((a, b) => text(a).localeCompare(text(b)) * (ascending ? 1 : -1));
        render(order);
      },
    }, heading);
    th.append(button);
    return th;
  });
  render(order);
  // A table wider than a phone scrolls within its region, which keyboard users can focus.
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: 0 },
    h('table', {}, h('caption', {}, caption), h('thead', {}, h('tr', {}, headers)), body),
  );
}

/** A definition list of `[term, description]`. */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

/** A calendar date (`2026-06-15`) as people write it: "June 15, 2026". */
export function date(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return `${months[m - 1]} ${d}, ${y}`;
}

/** An RFC 3339 moment in the browser's own time zone. */
export function moment(rfc3339) {
  if (!rfc3339) return '';
  return new Date(rfc3339).toLocaleString('en-US', {
    dateStyle: 'long',
    timeStyle: 'short',
  });
}

/** Today in the browser's time zone, as `YYYY-MM-DD`. */
export function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A form folded under its summary (`Deny…`), so a row's work stays narrow until opened. */
export function folded(summary, form) {
  return h('details', { class: 'folded' }, h('summary', {}, summary), form);
}

let pending = null;

/** Says `text` once the screen being navigated to is shown (a save that opens the record). */
export function announceOnNextScreen(text, kind = 'info') {
  pending = [text, kind];
}

/** What the next screen should say first (and forgets it), or nothing. */
export function takeAnnouncement() {
  const said = pending || ['', 'info'];
  pending = null;
  return said;
}

/** Shows the current screen again, through the router (so it never lands on another screen). */
export function rerender() {
  // What the status bar says (the save that asked for the new rendering) stays said.
  const status = document.getElementById('status');
  pending = [status.textContent, status.classList.contains('error') ? 'error' : 'info'];
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
