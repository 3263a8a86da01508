/**
 * The one inline script of the sequence pages (src/view/sequence.ts): stepping. It only toggles
 * what is already in the page — every step's state section, the row bands, the step table —
 * so a page read without script loses nothing but the toggling. Keys: ↓/→/j/n next step,
 * ↑/←/k/p previous, Home/End, v the violation; a click on a box or a table row selects it.
 * Kept to ES5-style code: it runs in any browser a bug report is opened in.
 */
export const STEPPER_SCRIPT = `
(function () {
  var body = document.body;
  body.classList.add('js');
  var sections = document.querySelectorAll('section.step');
  var n = sections.length;
  var cur = -1;
  var violation = Number(body.getAttribute('data-start'));
  function mark(k, on) {
    var marked = document.querySelectorAll('[data-step="' + k + '"]');
    for (var i = 0; i < marked.length; i++) marked[i].classList.toggle('cur', on);
  }
  // scroll: 'nearest' while stepping (the least movement), 'center' when jumping.
  function show(k, scroll) {
    k = Math.max(0, Math.min(n - 1, k));
    if (cur >= 0) { sections[cur].classList.remove('on'); mark(cur, false); }
    cur = k;
    sections[k].classList.add('on');
    mark(k, true);
    // Not on load: a fragment set before the load finishes makes the browser scroll to it.
    if (scroll && history.replaceState) history.replaceState(null, '', '#s' + k);
    var box = document.querySelector('a.step[data-step="' + k + '"]');
    if (scroll && box && box.scrollIntoView) box.scrollIntoView({ block: scroll, inline: 'nearest' });
  }
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var k = { ArrowDown: 1, ArrowRight: 1, j: 1, n: 1, ArrowUp: -1, ArrowLeft: -1, k: -1, p: -1 }[e.key];
    if (k) show(cur + k, 'nearest');
    else if (e.key === 'Home') show(0, 'center');
    else if (e.key === 'End') show(n - 1, 'center');
    else if (e.key === 'v') show(violation, 'center');
    else return;
    e.preventDefault();
  });
  document.addEventListener('click', function (e) {
    var t = e.target;
    while (t && t.getAttribute && !t.getAttribute('data-step')) t = t.parentNode;
    if (!t || !t.getAttribute) return;
    e.preventDefault();
    show(Number(t.getAttribute('data-step')), 'nearest');
  });
  function fromHash() {
    var m = /^#s(\\d+)$/.exec(location.hash);
    return m ? Number(m[1]) : -1;
  }
  window.addEventListener('hashchange', function () {
    if (fromHash() >= 0 && fromHash() !== cur) show(fromHash(), 'center');
  });
  if (fromHash() >= 0) show(fromHash(), 'center');
  else show(isNaN(violation) ? 0 : violation, false);
})();
`;
