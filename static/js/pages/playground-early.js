// The playground's first trace, asked for while the rest of the page is still loading. The page loads
// this module on its own (async, ahead of the stylesheets), so the request goes out as soon as these few
// small modules are in, instead of after every module of the player has been fetched and run; the player
// takes the answer if its model turns out the same (see `prefetched` in player.js). A script this browser
// already holds is named (known_script_id), so the answer brings the numbers only.

import { api } from "../core/api.js";
import { DEFAULT_MODEL, firstTraceRequest, normalizeModel, specToModel } from "../player/model.js";
import { knownScriptId } from "../player/script-ids.js";
import { fromUrl } from "./playground-state.js";

function start() {
  const view = fromUrl();
  const body = firstTraceRequest(normalizeModel({ ...DEFAULT_MODEL, ...specToModel(view) }), view);
  const response = api.traceV2({ ...body, known_script_id: knownScriptId(body) });
  response.catch(() => {}); // the player reports a failure when it takes the answer
  return { body, response };
}

export const firstTrace = start();
