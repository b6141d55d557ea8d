/** The daemon's scan worker thread (scanThread.ts): walks the datasets it is asked for and posts what it found. */
import { parentPort } from 'node:worker_threads';
import { listFaceFiles } from './listFaceFiles';
import { isScanRequest, postedError, postedScan, type ScanReply } from './scanThread';

const port = parentPort;
if (!port) throw new Error('scanWorker.js runs as a worker thread of the Veil daemon');
port.on('message', (request: unknown) => {
  // Only the daemon talks to this thread: a malformed request is its bug, said by the worker's failure (every scan
  // waiting fails with an Internal error naming it), never a walk of whatever it names.
  if (!isScanRequest(request)) throw new Error(`the dataset scan worker got a malformed request: ${JSON.stringify(request)?.slice(0, 200)}`);
  const { id, root, scope } = request;
  listFaceFiles(root, scope).then(
    (scan) => {
      const posted = postedScan(scan);
      const reply: ScanReply = { id, ...posted };
      port.postMessage(reply, [posted.bytes.buffer, posted.mtimes.buffer]);
    },
    (error: unknown) => port.postMessage({ id, error: postedError(error) } satisfies ScanReply),
  );
});
