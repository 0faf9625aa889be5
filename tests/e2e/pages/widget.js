/* A publisher's own share widget and like button, as third-party widgets behave: the share
   button opens the network's share page in a pop-up from its click handler, the like button
   counts. Forewarn's caution must let each through once confirmed, and each exactly once. */
(function () {
  "use strict";
  var shared = document.querySelector(".shared");
  var liked = document.querySelector(".liked");
  document.querySelector(".widget-share").addEventListener("click", function () {
    shared.value = String(Number(shared.value) + 1);
    window.open("https://vk.com/share.php?url=https%3A%2F%2Fexample.net%2Fnight-buses",
                "share", "width=600,height=400");
  });
  document.querySelector(".like").addEventListener("click", function (event) {
    liked.value = String(Number(liked.value) + 1);
    event.currentTarget.setAttribute("aria-pressed", "true");
  });
}());
