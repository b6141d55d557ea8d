/** A one-file HTTP server on 127.0.0.1 (port 0), for download tests that must not leave the machine. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  url: string;
  /** How many requests it answered. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * Serves `body` at /<name> with Content-Length; any other path is a 404. With `stallAfter`, only that many
 * bytes are sent and the connection then stays open, silent (a stalled download).
 */
export async function serveBytes(name: string, body: Buffer, stallAfter?: number): Promise<LoopbackServer> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    if (request.url !== `/${name}`) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    if (stallAfter === undefined) response.end(body);
    else response.write(body.subarray(0, stallAfter));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
