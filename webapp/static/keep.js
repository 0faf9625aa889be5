/* Forewarn: keep the notice where the body begins when the page's own script throws it away.
 *
 * A framework that hydrates the whole document may discard it: React 18, on any difference
 * between the server's document and its own first render (a block it did not render is one),
 * removes the whole <html> and builds it again. A script that replaces document.body's
 * contents does the same. The block (this script's own <aside>) is then put back, as the
 * first thing in the new <body>, at most ten times (never a fight without end). A page that
 * renders a block of its own, or keeps this one, is left alone.
 *
 * No request, no cookie, no storage; nothing but this one element is touched. Loaded with
 * `defer` from the block, and from the site itself: `script-src 'self'` allows it.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var block = script && script.closest("aside.forewarn[data-forewarn]");
  if (!block || typeof MutationObserver !== "function") {
    return;
  }
  var left = 10;

  function restore() {
    if (block.isConnected || left <= 0 || !document.body) {
      return;
    }
    if (document.querySelector("aside.forewarn[data-forewarn]")) {
      return; // the page shows a block already
    }
    left -= 1;
    document.body.insertBefore(block, document.body.firstChild);
  }

  new MutationObserver(restore).observe(document, { childList: true, subtree: true });
  restore();
})();
