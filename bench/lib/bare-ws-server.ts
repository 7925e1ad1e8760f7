// The bare `ws` broadcast, fan-out's reference: run in a process of its own by bare-ws.ts, so that its CPU
// is its own. It answers graphql-ws's handshake (so the bench's clients connect to it as to the API) and
// sends each message it is given to every socket, as one text frame: no GraphQL, no per-subscriber work.
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";

export interface BroadcastCommand {
  messages: string[];
  perSecond: number;
}

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });

server.on("connection", (socket) => {
  socket.on("message", (data: Buffer) => {
    if (data.includes('"connection_init"')) socket.send('{"type":"connection_ack"}');
  });
});

server.on("listening", () => {
  process.send?.({ type: "listening", port: (server.address() as AddressInfo).port });
});

/** Sends message i at start + i / perSecond, to every socket. */
function broadcast({ messages, perSecond }: BroadcastCommand): void {
  const frames = messages.map((message) => Buffer.from(message));
  const started = performance.now();
  let next = 0;
  const tick = () => {
    while (next < frames.length && started + (next * 1000) / perSecond <= performance.now()) {
      const frame = frames[next++] as Buffer;
      for (const client of server.clients) client.send(frame, { binary: false });
    }
    if (next < frames.length)
      setTimeout(tick, Math.max(0, started + (next * 1000) / perSecond - performance.now()));
    else process.send?.({ type: "done", sent: frames.length * server.clients.size });
  };
  tick();
}

process.on("message", (command: BroadcastCommand) => broadcast(command));
process.on("disconnect", () => process.exit(0));
