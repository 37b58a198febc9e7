// What the step player says about itself: a status line (loading…, training…) and an error box that
// shows a failure in words, the server's own message when it refused the request (e.g. a 422 naming a cap).
//
//   const messages = createMessages({ onShow });  // onShow: the player must be on the page to show an error
//   toolbar.append(messages.status);  stage.append(messages.errorBox);
//   messages.setStatus(text);  messages.showError(error);  messages.clearError();

import { ApiError } from "../core/api.js";
import { el } from "../core/dom.js";
import { t } from "../core/i18n.js";

export function createMessages({ onShow = () => {} } = {}) {
  const status = el("p", { class: "player-status", "data-testid": "player-status", role: "status" });
  const errorBox = el("div", { class: "player-error", role: "alert", "data-testid": "player-error", hidden: true });

  function setStatus(text) {
    status.textContent = text || "";
  }

  /** A failure in words: the server's own message when it refused the request (e.g. a 422 naming a cap). */
  function showError(error) {
    if (error?.name === "AbortError") return;
    onShow();
    let message;
    if (error instanceof ApiError) {
      message = t("playground.errors.api", { detail: error.message });
    } else if (error instanceof TypeError) {
      message = t("common.error.network");
    } else {
      message = t("common.error.generic", { message: error?.message ?? String(error) });
    }
    errorBox.hidden = false;
    errorBox.replaceChildren(
      el("span", { text: message }),
      el("button", {
        type: "button",
        class: "icon-button",
        "aria-label": t("playground.errors.dismiss"),
        text: "✕",
        onclick: () => (errorBox.hidden = true),
      }),
    );
  }

  function clearError() {
    errorBox.hidden = true;
  }

  return { status, errorBox, setStatus, showError, clearError };
}
