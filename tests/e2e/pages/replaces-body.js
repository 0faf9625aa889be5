// What client-rendered sites do: the body the server sent is replaced by the script's own
// rendering, with whatever else was in it. Once before the page has loaded (a deferred script
// in <head> runs before the block's own), by writing the body again; and a moment later by
// building a whole new <html> in place of the old one, as React 18 does when its first render
// differs from the server's document (window.rebuild, which a test may call again).
var MAIN = '<main><h1>Night trains return to the coast</h1><p class="rendered">{label}</p>' +
  '<p><a class="share" href="https://vk.com/share.php?url=https%3A%2F%2Fexample.net%2Fa">' +
  'Share on VK</a></p></main>';

document.body.innerHTML = MAIN.replace("{label}", "Rendered while loading.");

window.rebuild = function (label) {
  var html = document.createElement("html");
  html.lang = "en";
  html.appendChild(document.createElement("head"));
  var body = document.createElement("body");
  body.innerHTML = MAIN.replace("{label}", label);
  html.appendChild(body);
  document.replaceChild(html, document.documentElement);
};

setTimeout(function () {
  window.rebuild("Rendered again after load.");
  window.__rendered = true;
}, 300);
