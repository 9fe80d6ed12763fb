// A thin bar at the top of the window from a click on a link of this site until the next page has rendered (the URL
// changed and nothing in <main> is still marked aria-busy), so a slow school network never looks like a dead click.
// Purely visual: pages say "Loading" in words themselves (aria-busy).
(() => {
  const bar = document.createElement('div');
  bar.className = 'nav-progress';
  bar.setAttribute('aria-hidden', 'true');
  let from = null;
  let giveUp = null;

  const done = () => {
    document.documentElement.classList.remove('navigating');
    from = null;
    clearTimeout(giveUp);
  };

  const check = () => {
    if (from === null) {
      return;
    }
    if (location.href !== from && !document.querySelector('main [aria-busy="true"]')) {
      done();
      return;
    }
    requestAnimationFrame(check);
  };

  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!link || link.target || link.hasAttribute('download')) {
      return;
    }
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || (url.pathname === location.pathname && url.search === location.search)) {
      return;
    }
    if (!bar.isConnected) {
      document.body.prepend(bar);
    }
    from = location.href;
    document.documentElement.classList.add('navigating');
    clearTimeout(giveUp);
    giveUp = setTimeout(done, 20000);
    requestAnimationFrame(check);
  });
  window.addEventListener('pageshow', done);
})();
