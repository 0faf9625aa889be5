// Asks the site's comment counter, which answers JSON under text/html (as PHP does unless told
// otherwise), and writes what it parsed, or the error, into the page.
fetch("/pages/comments-count.html")
  .then(response => response.text())
  .then(text => {
    document.getElementById("count").textContent = `${JSON.parse(text).comments} comments`;
  })
  .catch(error => { document.getElementById("count").textContent = `error: ${error}`; });

// The like counter answers JSONP, also as text/html: the next <script> on the page calls this.
window.showLikes = data => { document.getElementById("likes").textContent = `${data.likes} likes`; };
