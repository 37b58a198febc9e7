// The step player's keys. The stepping keys (→ ←, PageDown PageUp …; see core/keys.js) are taken in the
// capture phase, before a focused select, slider or checkbox acts on them; Space (play or pause), Home,
// End and Escape (close the tooltip) in the bubble phase, after the diagram's own Enter/Space.
//
//   const keys = listenToKeys({ keyboard: "scoped", root, playback, tooltip });  …  keys.destroy();
//   keyboard: "global" listens on the whole page, "scoped" on the player's element, false on nothing.

import { stepDirection } from "../core/keys.js";

function isTyping(target) {
  return (
    target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

export function listenToKeys({ keyboard, root, playback, tooltip }) {
  function onStepKey(event) {
    const direction = stepDirection(event);
    if (!direction) return;
    event.preventDefault();
    if (direction > 0) playback.next();
    else playback.prev();
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    const onButton = event.target instanceof HTMLButtonElement;
    switch (event.key) {
      case " ":
      case "Spacebar":
        if (onButton) return;
        playback.togglePlay();
        break;
      case "Home":
        playback.reset();
        break;
      case "End":
        playback.end();
        break;
      case "Escape":
        tooltip.hide();
        return;
      default:
        return;
    }
    event.preventDefault();
  }

  const keyTarget = keyboard === "global" ? document : keyboard === "scoped" ? root : null;
  keyTarget?.addEventListener("keydown", onStepKey, true);
  keyTarget?.addEventListener("keydown", onKey);
  return {
    destroy() {
      keyTarget?.removeEventListener("keydown", onStepKey, true);
      keyTarget?.removeEventListener("keydown", onKey);
    },
  };
}
