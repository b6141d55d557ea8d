/**
 * JSON-RPC 2.0 over NDJSON stdio: dispatch, cancellation (`$/cancelRequest`), progress (`$/progress`),
 * and the mapping of VeilError codes onto JSON-RPC errors. Stdout carries the protocol and nothing else.
 */
import type { Readable, Writable } from 'node:stream';
import { JSONRPCErrorException, JSONRPCServer, type JSONRPCRequest } from 'json-rpc-2.0';
import {
  ErrorCode,
  NOTIFY_CANCEL,
  NOTIFY_PROGRESS,
  isCancelParams,
  isRecord,
  type MethodName,
  type ProgressParams,
  type VeilMethods,
} from '../protocol';
import { VeilError } from '../errors';
import { CancellationToken, type Actor, type CallContext } from '../core/callContext';
import { MAX_REQUEST_LINE_BYTES, onLines, writeMessage } from '../ndjson';
import { MAX_NAME_CHARS } from './params';

export type Handler<M extends MethodName> = (params: unknown, ctx: CallContext) => Promise<ReturnType<VeilMethods[M]>>;
export type Handlers = { [M in MethodName]: Handler<M> };

interface ServerOptions {
  /** Who is calling; set by `initialize` (the handlers call `setActor`). */
  actor: () => Actor;
  /** Called once stdin ends. */
  onEnd: () => void;
}

function toRpcError(error: unknown): JSONRPCErrorException {
  if (VeilError.is(error)) return new JSONRPCErrorException(error.message, error.code, error.file ? { file: error.file } : undefined);
  const message = error instanceof Error ? error.message : String(error);
  return new JSONRPCErrorException(`internal error: ${message}`, ErrorCode.Internal);
}

/** Sends a notification (no answer expected) to the client. */
export type Notify = (method: string, params: unknown) => void;

/** Why a parsed message is not a JSON-RPC 2.0 request or notification Veil serves (batches are not served). */
function requestProblem(message: unknown): string | undefined {
  if (Array.isArray(message)) return 'batches are not supported: send one request per line';
  if (!isRecord(message)) return 'a request must be a JSON object';
  if (message.jsonrpc !== '2.0') return '"jsonrpc" must be "2.0"';
  if (typeof message.method !== 'string') return '"method" must be a string';
  if (message.id !== undefined && message.id !== null && typeof message.id !== 'string' && typeof message.id !== 'number') return '"id" must be a string, a number or null';
  if (message.params !== undefined && typeof message.params !== 'object') return '"params" must be an object or an array';
  return undefined;
}

/** Why a request's progress token is refused: it is echoed in every `$/progress`, so it is short or absent. */
function progressTokenProblem(params: unknown): string | undefined {
  const token = isRecord(params) ? params.progressToken : undefined;
  if (token === undefined) return undefined;
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_NAME_CHARS) return `"progressToken" must be a string of 1 to ${MAX_NAME_CHARS} characters`;
  return undefined;
}

export function serveRpc(input: Readable, output: Writable, handlers: Handlers, options: ServerOptions): Notify {
  const server = new JSONRPCServer<CallContext>();
  const inFlight = new Map<string | number, CancellationToken>();

  for (const name of Object.keys(handlers) as MethodName[]) {
    const handler = handlers[name] as (params: unknown, ctx: CallContext) => Promise<unknown>;
    server.addMethod(name, async (params, ctx) => {
      try {
        return await handler(params, ctx);
      } catch (error) {
        if (!VeilError.is(error)) process.stderr.write(`[veil] ${name} failed: ${(error as Error)?.stack ?? String(error)}\n`);
        throw toRpcError(error);
      }
    });
  }

  function contextFor(request: JSONRPCRequest, answered: Promise<void>): CallContext {
    const token = new CancellationToken();
    if (request.id !== undefined && request.id !== null) inFlight.set(request.id, token);
    const progressToken = isRecord(request.params) && typeof request.params.progressToken === 'string' ? request.params.progressToken : undefined;
    return {
      token,
      answered,
      actor: options.actor(),
      progress(update) {
        if (progressToken === undefined) return;
        const params: ProgressParams = { token: progressToken, ...update };
        writeMessage(output, { jsonrpc: '2.0', method: NOTIFY_PROGRESS, params });
      },
    };
  }

  async function receive(line: string): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      writeMessage(output, { jsonrpc: '2.0', id: null, error: { code: ErrorCode.ParseError, message: 'parse error: not valid JSON' } });
      return;
    }
    const malformed = requestProblem(message);
    if (malformed) {
      const id = isRecord(message) && (typeof message.id === 'string' || typeof message.id === 'number') ? message.id : null;
      writeMessage(output, { jsonrpc: '2.0', id, error: { code: ErrorCode.InvalidRequest, message: `invalid request: ${malformed}` } });
      return;
    }
    const request = message as JSONRPCRequest;
    const tokenProblem = progressTokenProblem(request.params);
    if (tokenProblem) {
      if (request.id !== undefined && request.id !== null) writeMessage(output, { jsonrpc: '2.0', id: request.id, error: { code: ErrorCode.InvalidParams, message: tokenProblem } });
      return;
    }
    if (request.method === NOTIFY_CANCEL) {
      if (isCancelParams(request.params)) inFlight.get(request.params.id)?.cancel();
      return;
    }
    let sent = () => undefined as void;
    const answered = new Promise<void>((resolve) => (sent = resolve));
    const response = await server.receive(request, contextFor(request, answered));
    if (request.id !== undefined && request.id !== null) inFlight.delete(request.id);
    if (response) writeMessage(output, response, sent);
    else sent();
  }

  // Whatever a client sends, the daemon answers or ignores it and keeps serving: nothing may reject unhandled.
  // A line over the limit is skipped as it streams and answered at once (its id is unknown: null).
  const tooLong = {
    maxLineBytes: MAX_REQUEST_LINE_BYTES,
    onOversized: () =>
      writeMessage(output, {
        jsonrpc: '2.0',
        id: null,
        error: { code: ErrorCode.InvalidRequest, message: `invalid request: a line is longer than ${MAX_REQUEST_LINE_BYTES / (1024 * 1024)} MB, the limit of a request; it was discarded unread` },
      }),
  };
  onLines(
    input,
    (line) =>
      void receive(line).catch((error: unknown) => {
        process.stderr.write(`[veil] a message could not be handled: ${(error as Error)?.stack ?? String(error)}\n`);
      }),
    options.onEnd,
    tooLong,
  );
  return (method, params) => writeMessage(output, { jsonrpc: '2.0', method, params });
}
