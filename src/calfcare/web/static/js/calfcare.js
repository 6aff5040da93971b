/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // Live filter on the condition index (the server-side search still works without it).
  var input = document.querySelector("input[data-filter]");
  if (input) {
    var items = document.querySelectorAll(input.getAttribute("data-filter"));
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      items.forEach(function (li) {
        var text = li.getAttribute("data-search") || "";
        li.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
  }
  // "I don't know" covers only the items left unticked: a tick (a danger sign) is never
  // cleared by it, so this page needs no script for its answers.
  // Sources page: a link to a source (#ref-ID) or to a topic (#topic-SLUG) opens the folded
  // topic that holds it; without this file every topic can still be opened by hand.
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    var topic = target ? target.closest("details.ref-topic") : null;
    if (topic && !topic.open) {
      topic.open = true;
      target.scrollIntoView();
    }
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);
  // Printing a result prints every section: open the folded ones first (print CSS opens
  // them too where the browser allows it).
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.result-section").forEach(function (d) { d.open = true; });
  });
  // Move focus to an error summary so that screen readers announce it.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
