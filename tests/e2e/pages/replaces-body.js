// What an older single-page site does: the body the server sent is replaced by the script's
// own rendering, with whatever else was in it. Once before the page has loaded (a deferred
// script in <head> runs before the block's own) and once more a moment later.
function render(label) {
  document.body.innerHTML = '<main><h1>Night trains return to the coast</h1>' +
    '<p class="rendered">' + label + '</p></main>';
}
render("Rendered while loading.");
setTimeout(function () { render("Rendered again after load."); window.__rendered = true; }, 300);
