/**
 * Counts the turns of the event loop (one setImmediate after another) until stopped, so a test can
 * note in which turn something ran and assert how much ran in one turn.
 */
export interface EventLoopTurns {
  /** The turn running now. */
  current(): number;
  stop(): void;
}

export function countEventLoopTurns(): EventLoopTurns {
  let turn = 0;
  let ticking = true;
  const tick = (): void => {
    turn += 1;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    current: () => turn,
    stop: () => {
      ticking = false;
    },
  };
}
