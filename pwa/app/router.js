// Hash routes: "#/", "#/logg-inn", "#/invitasjon/<token>", ...
// Hashes that do not start with "#/" (like a skip link's "#main") are ignored.

export function createRouter(onChange) {
  let last = null;

  function current() {
    const hash = window.location.hash;
    if (!hash || hash === '#') return '/';
    if (!hash.startsWith('#/')) return last || '/';
    return hash.slice(1);
  }

  function handle() {
    const path = current();
    if (!window.location.hash.startsWith('#/') && window.location.hash && window.location.hash !== '#') return;
    last = path;
    onChange(path);
  }

  return {
    current,
    start() {
      window.addEventListener('hashchange', handle);
      last = current();
      onChange(last);
    },
    go(path, { replace = false } = {}) {
      if (replace || path === current()) {
        window.history.replaceState(null, '', `#${path}`);
        last = path;
        onChange(path);
      } else {
        window.location.hash = path;
      }
    },
    refresh() {
      onChange(current());
    },
  };
}
