// Where a page's step player meets the live class. The page registers its player with the way its view
// state reads as a URL fragment; the classroom leads from it (teacher) or drives it (student) through
// the player's public API: getState(), load(spec), setStep(), and the page's onChange.

let attached = null;
const attachListeners = new Set();
const changeListeners = new Set();

/** codec: { encode(snapshot) -> fragment, decode(fragment) -> spec for player.load } */
export function attachPlayer(player, codec) {
  attached = { player, ...codec };
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
