// Web storage that may be refused: a page framed by another site (an embed in a course page) can be denied
// localStorage and sessionStorage (third-party storage blocked), and then every access throws. Reads give
// null and writes are dropped instead, so the page works without remembering.

function area(name) {
  try {
    return window[name];
  } catch {
    return null;
  }
}

function store(name) {
  return {
    get(key) {
      try {
        return area(name)?.getItem(key) ?? null;
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        area(name)?.setItem(key, value);
      } catch {
        // refused or full: not remembered
      }
    },
    remove(key) {
      try {
        area(name)?.removeItem(key);
      } catch {
        // refused: nothing was kept
      }
    },
  };
}

export const local = store("localStorage");
export const session = store("sessionStorage");
