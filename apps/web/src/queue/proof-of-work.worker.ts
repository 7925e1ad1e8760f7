import { type ProofOfWorkMessage, type ProofOfWorkRequest, searchNonces } from "./proof-of-work";

// Enough hashes per batch to keep messaging cheap, few enough to report progress several times a second.
const BATCH = 4_096;

// The DOM and WebWorker type libraries clash in one program: this file needs only these two members.
interface WorkerScope {
  onmessage: ((event: MessageEvent<ProofOfWorkRequest>) => void) | null;
  postMessage: (message: ProofOfWorkMessage) => void;
}
const scope = globalThis as unknown as WorkerScope;

// One search per worker: the page terminates the worker to stop it (a new challenge, the fan left).
scope.onmessage = (event) => {
  const { challenge, difficulty } = event.data;
  for (let firstNonce = 0; ; firstNonce += BATCH) {
    const answer = searchNonces(challenge, difficulty, firstNonce, BATCH);
    if (answer !== null) {
      scope.postMessage({ type: "solved", answer, attempts: Number(answer.slice(challenge.length + 1)) + 1 });
      return;
    }
    scope.postMessage({ type: "progress", attempts: firstNonce + BATCH });
  }
};
