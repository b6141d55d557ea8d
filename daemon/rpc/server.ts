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
import { onLines, writeMessage } from '../ndjson';

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

  function contextFor(request: JSONRPCRequest): CallContext {
    const token = new CancellationToken();
    if (request.id !== undefined && request.id !== null) inFlight.set(request.id, token);
    const progressToken = isRecord(request.params) && typeof request.params.progressToken === 'string' ? request.params.progressToken : undefined;
    return {
      token,
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
    if (isRecord(message) && message.method === NOTIFY_CANCEL) {
      if (isCancelParams(message.params)) inFlight.get(message.params.id)?.cancel();
      return;
    }
    const request = message as JSONRPCRequest;
    const response = await server.receive(request, contextFor(request));
    if (isRecord(message) && message.id !== undefined) inFlight.delete(message.id as string | number);
    if (response) writeMessage(output, response);
  }

  onLines(input, (line) => void receive(line), options.onEnd);
  return (method, params) => writeMessage(output, { jsonrpc: '2.0', method, params });
}
