/** The daemon's scan worker thread (scanThread.ts): walks the datasets it is asked for and posts what it found. */
import { parentPort } from 'node:worker_threads';
import { listFaceFiles } from './listFaceFiles';
import { postedError, postedScan, type ScanReply, type ScanRequest } from './scanThread';

const port = parentPort;
if (!port) throw new Error('scanWorker.js runs as a worker thread of the Veil daemon');
port.on('message', ({ id, root, scope }: ScanRequest) => {
  listFaceFiles(root, scope).then(
    (scan) => {
      const posted = postedScan(scan);
      const reply: ScanReply = { id, ...posted };
      port.postMessage(reply, [posted.bytes.buffer, posted.mtimes.buffer]);
    },
    (error: unknown) => port.postMessage({ id, error: postedError(error) } satisfies ScanReply),
  );
});
