import type { ListenFact } from '../../core/receive/facts.js';

/** Holds facts until the live view subscribes, then passes them straight through. */
export function factBus() {
  const backlog: ListenFact[] = [];
  let sink: ((fact: ListenFact) => void) | null = null;
  return {
    push: (fact: ListenFact): void => {
      if (sink) sink(fact);
      else backlog.push(fact);
    },
    subscribe: (onFact: (fact: ListenFact) => void) => {
      sink = onFact;
      for (const fact of backlog.splice(0)) onFact(fact);
      return () => {
        sink = null;
      };
    },
  };
}
