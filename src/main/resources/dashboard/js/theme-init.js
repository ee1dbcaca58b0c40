// Applies the saved theme before first paint; app.js owns the toggle afterwards.
(function () {
  try {
    var saved = localStorage.getItem('loki-theme');
    if (saved === 'light' || saved === 'dark') {
      document.documentElement.setAttribute('data-theme', saved);
    }
  } catch (e) { /* storage may be blocked; the OS preference still applies */ }
})();
