// A script that removes Forewarn's block whenever it is in the page, counting each removal:
// the block's own script must give up after a few tries, not fight on for ever.
window.__removed = 0;
function removeNotices() {
  document.querySelectorAll("aside.forewarn").forEach(function (block) {
    block.remove();
    window.__removed += 1;
  });
}
removeNotices();
new MutationObserver(removeNotices).observe(document, { childList: true, subtree: true });
