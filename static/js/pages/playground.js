// The playground page: the step player with the full editor, its whole state kept in the URL (#…) so a
// link reproduces the view exactly.

import { attachPlayer, playerChanged } from "../classroom/bridge.js";
import { toast } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { ready } from "../core/shell.js";
import { mountStepPlayer } from "../player/player.js";
import { firstTrace } from "./playground-early.js";
import { fromUrl, state, toUrl } from "./playground-state.js";

let writeTimer = null;
let latest = null;
// The address's fragment as this page last wrote or took it. A different one is a link followed (a pasted
// address, a click on #…) whose hashchange has not been handled yet: a pending write must not undo it.
let ownHash = location.hash;

function scheduleWrite(snapshot) {
  latest = snapshot;
  // While playing, the step changes every few hundred milliseconds; the link is written when it stops.
  if (writeTimer || snapshot.playing) return;
  writeTimer = setTimeout(() => {
    writeTimer = null;
    if (location.hash !== ownHash) return; // the hashchange handler loads it, and writes after that
    state.write(toUrl(latest));
    ownHash = location.hash;
  }, 150);
}

async function copyLink(player) {
  const link = state.link(toUrl(player.getState()));
  try {
    await navigator.clipboard.writeText(link);
    toast(t("common.copied"));
  } catch {
    toast(link, { timeout: 8000 });
  }
}

function main() {
  const host = document.querySelector("[data-player]");
  const initial = fromUrl();
  let first = true;
  const player = mountStepPlayer(host, {
    ...initial,
    showEditor: true,
    keyboard: "global",
    translationsReady: ready,
    prefetched: firstTrace,
    onChange: (snapshot) => {
      scheduleWrite(snapshot);
      playerChanged(snapshot);
    },
    onCopyLink: () => copyLink(player),
    onTrace: () => {
      if (!first) return;
      first = false;
      // the page's own marks, for anyone timing it (DevTools, benchmarks/frontend.py): the first diagram in
      // the DOM, then the end of the first frame that shows it (a task queued from that frame's callback)
      performance.mark("diagram-ready");
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => performance.mark("diagram-drawn");
        channel.port2.postMessage(null);
      });
    },
  });
  window.addEventListener("hashchange", () => {
    ownHash = location.hash;
    player.load(fromUrl());
  });
  // a 64-input network (an 8×8 digit from the training view) also shows its input as an image
  player.ready.finally(() => import("../player/input-image.js"));
  // a live class leads from this player, or drives it (static/js/classroom)
  attachPlayer(player, { encode: (snapshot) => state.encode(toUrl(snapshot)), decode: (view) => fromUrl(`#${view}`) });
}

main();
