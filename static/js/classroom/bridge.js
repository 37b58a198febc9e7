// Where a page's step player meets the live class. The page registers its player; the classroom leads from
// it (teacher) or drives it (student). The state travels in the player store's travel format
// (serializeState / applyState in player/store.js: the network, its data and the view — step, granularity,
// selection); a player without a store travels as its URL fragment (the page's codec) instead.

import { applyState, serializeState } from "../player/store.js";

let attached = null;
const attachListeners = new Set();
const changeListeners = new Set();

function throughStore(player) {
  const { store } = player;
  return {
    player,
    encode: () => serializeState(store.getState(), { predict: false }), // each student predicts for themselves
    apply(view) {
      const wanted = JSON.parse(view);
      // the same network: only the view changes, so no new trace is asked for
      const sameSpec = JSON.stringify(wanted.spec) === JSON.stringify(store.getState().spec);
      applyState(store, sameSpec ? { ...wanted, spec: null } : wanted);
    },
  };
}

function throughUrl(player, { encode, decode }) {
  return {
    player,
    encode: () => encode(player.getState()),
    apply: (view) => player.load(decode(view)),
  };
}

/** codec (for a player without a store): { encode(snapshot) -> fragment, decode(fragment) -> spec for load } */
export function attachPlayer(player, codec) {
  attached = player.store ? throughStore(player) : throughUrl(player, codec);
  for (const listener of attachListeners) listener(attached);
}

/** The page calls this from the player's onChange. */
export function playerChanged(snapshot) {
  for (const listener of changeListeners) listener(snapshot);
}

export function whenPlayer(listener) {
  if (attached) listener(attached);
  attachListeners.add(listener);
}

export function onPlayerChange(listener) {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

export const currentPlayer = () => attached;
