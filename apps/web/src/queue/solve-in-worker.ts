import type { ProofOfWorkMessage, ProofOfWorkRequest } from "./proof-of-work";

/**
 * Solves a proof-of-work challenge off the main thread, so the page stays responsive (and its heartbeats
 * keep going) while the fan's device works. Aborting terminates the worker at once.
 */
export function solveInWorker(
  request: ProofOfWorkRequest,
  onProgress: (attempts: number) => void,
  signal: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    // Written inline so the bundler sees the pattern and builds the worker as its own module chunk.
    const worker = new Worker(new URL("./proof-of-work.worker.ts", import.meta.url), { type: "module" });
    const stop = () => {
      worker.terminate();
      reject(signal.reason);
    };
    signal.addEventListener("abort", stop, { once: true });
    worker.onmessage = (event: MessageEvent<ProofOfWorkMessage>) => {
      const message = event.data;
      if (message.type === "progress") {
        onProgress(message.attempts);
        return;
      }
      signal.removeEventListener("abort", stop);
      worker.terminate();
      onProgress(message.attempts);
      resolve(message.answer);
    };
    worker.onerror = (event) => {
      signal.removeEventListener("abort", stop);
      worker.terminate();
      reject(new Error(`The proof-of-work worker failed: ${event.message}`));
    };
    worker.postMessage(request);
  });
}
