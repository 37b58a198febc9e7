// Stylesheets a page needs only once a module shows what they style (the step player's panels, the input
// image): added to the page when first asked for, so they are not fetched ahead of what draws first.
// Their URLs are resolved against the asking module's, so they carry the same version (app/static_assets.py).

const asked = new Map();

function attach(href) {
  // a page whose template names the sheet already has it (a lesson's predict.css)
  const named = [...document.querySelectorAll('link[rel="stylesheet"]')].some((link) => link.href === href);
  if (named) return Promise.resolve();
  return new Promise((resolve) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    // a sheet that fails leaves its panel plain rather than missing
    link.addEventListener("load", () => resolve(), { once: true });
    link.addEventListener("error", () => resolve(), { once: true });
    document.head.append(link);
  });
}

/** Resolves once the stylesheet at `url` (a URL or string, absolute) applies to the page; added once. */
export function useStylesheet(url) {
  const href = String(url);
  if (!asked.has(href)) asked.set(href, attach(href));
  return asked.get(href);
}
