// Where a page's view meets the live class. The page attaches its view (the step player, a lesson's figure,
// the training view); the classroom leads from it (teacher) or drives it (student). Every attached view is
// { encode() -> state string, apply(state) -> (promise of) done } plus change notifications (viewChanged).
// The step player travels in its store's travel format (serializeState / applyState in player/store.js:
// the network, its data and the view — step, granularity, selection); a player without a store, a lesson
// and the training view travel as their URL fragment, so a student who opens the teacher's page at once
// lands on the same state.

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

/**
 * While a state is being applied (a lesson asking the server for its new numbers, a run replayed), the view
 * reports that state, and its own change notifications are not the reader moving away from it.
 */
function settled(view) {
  let pending = null;
  return {
    player: view.player ?? null,
    encode: () => pending ?? view.encode(),
    get applying() {
      return pending != null;
    },
    apply(state) {
      pending = state;
      let done;
      try {
        done = view.apply(state);
      } catch (error) {
        pending = null;
        throw error;
      }
      const release = () => {
        if (pending === state) pending = null;
      };
      Promise.resolve(done).then(release, release);
      return done;
    },
  };
}

function attach(view) {
  attached = settled(view);
  for (const listener of attachListeners) listener(attached);
}

/** codec (for a player without a store): { encode(snapshot) -> fragment, decode(fragment) -> spec for load } */
export function attachPlayer(player, codec) {
  attach(player.store ? throughStore(player) : throughUrl(player, codec));
}

/**
 * A page without a step player: view = { encode() -> URL fragment (no "#"), apply(fragment) -> promise },
 * the same fragment the page reads from its address when it loads. The page calls viewChanged() when its
 * state changes.
 */
export function attachView(view) {
  attach({ encode: view.encode, apply: view.apply });
}

/** The page calls this from the player's onChange (or whenever an attached view's state changes). */
export function playerChanged(snapshot = {}) {
  if (attached?.applying) return;
  for (const listener of changeListeners) listener(snapshot);
}

export const viewChanged = playerChanged;

export function whenPlayer(listener) {
  if (attached) listener(attached);
  attachListeners.add(listener);
}

export function onPlayerChange(listener) {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

export const currentPlayer = () => attached;
