// Large-type mode for elderly citizens: ?large=1 / ?large=0 sets it, the device remembers it.
// Loaded in <head> (not deferred) so the page never flashes in small type first.
(function () {
  var KEY = "tongban.large";
  try {
    var wanted = new URLSearchParams(location.search).get("large");
    if (wanted !== null) localStorage.setItem(KEY, wanted === "1" ? "1" : "0");
    if (localStorage.getItem(KEY) === "1") document.documentElement.classList.add("large");
  } catch (e) {
    // Private mode without storage: the toggle still works for this page.
  }
})();
