import type { Socket } from 'node:net';
import { API_VERSIONS_KEY, isSupported, requestHeaderVersion, responseHeaderVersion } from '../api-table';
import { answerApiVersions, decodeApiVersionsRequest, encodeApiVersionsResponse } from '../apis/api-versions';
import { KafkaWireError } from '../errors';
import { FrameSplitter, frame } from '../frame-splitter';
import { parseRequest, peekRequestKey, writeResponseHeader } from '../headers';
import { WireReader } from '../wire-reader';
import { WireWriter } from '../wire-writer';
import { NO_RESPONSE, type ApiHandler, type KafkaClient } from './handler';

export interface ConnectionOptions {
  handlers: ReadonlyMap<number, ApiHandler>;
  maxFrameBytes: number;
  /** Why a connection was closed on the client: logged by the broker, never thrown. */
  onClose(reason: string): void;
}

/**
 * One client connection. Requests are read as they arrive and answered strictly in their order,
 * as Kafka clients expect (they match answers to requests by position as well as correlation
 * id). A request this listener cannot serve (an unknown API, a version outside the table, a body
 * that does not parse, an oversized frame) closes the connection, as Kafka brokers do; ApiVersions
 * at an unknown version is answered instead, so that the client can pick a version we have.
 */
export class KafkaConnection {
  private readonly splitter: FrameSplitter;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly client: KafkaClient;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.splitter = new FrameSplitter(options.maxFrameBytes);
    this.client = { host: `/${socket.remoteAddress ?? ''}` };
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => this.close('socket error'));
    socket.on('close', () => (this.closed = true));
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.options.onClose(reason);
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.splitter.push(chunk);
    } catch (err) {
      return this.close(err instanceof Error ? err.message : String(err));
    }
    for (const request of frames) {
      const answer = this.answer(request);
      this.queue = this.queue.then(async () => {
        const chunks = await answer;
        if (!chunks || this.closed) return;
        // Corked, the chunks leave in one writev: large byte fields are sent from where they lie, uncopied.
        this.socket.cork();
        for (const chunk of frame(chunks)) this.socket.write(chunk);
        this.socket.uncork();
      });
    }
  }

  /** The response's chunks, or null when there is none to send (no answer asked for, or the connection closed). */
  private async answer(request: Buffer): Promise<Buffer[] | null> {
    try {
      const { apiKey, apiVersion, correlationId } = peekRequestKey(request);
      const out = new WireWriter();
      if (apiKey === API_VERSIONS_KEY && !isSupported(apiKey, apiVersion)) {
        const answer = answerApiVersions(apiVersion);
        writeResponseHeader(out, correlationId, 0);
        encodeApiVersionsResponse(out, answer.response, answer.version);
        return out.finish();
      }
      const handler = apiKey === API_VERSIONS_KEY ? serveApiVersions : this.options.handlers.get(apiKey);
      if (!handler || !isSupported(apiKey, apiVersion)) {
        this.close(`api key ${apiKey} version ${apiVersion} is not served here`);
        return null;
      }
      const { header, body } = parseRequest(request, requestHeaderVersion);
      writeResponseHeader(out, correlationId, responseHeaderVersion(apiKey, apiVersion));
      if ((await handler(header, body, out, this.client)) === NO_RESPONSE) return null;
      return out.finish();
    } catch (err) {
      // A handler's own failure must not take the broker down: this connection pays for it alone.
      this.close(err instanceof KafkaWireError ? `malformed request: ${err.message}` : `internal error: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }
}

const serveApiVersions: ApiHandler = (header, body: WireReader, out) => {
  decodeApiVersionsRequest(body, header.apiVersion);
  const answer = answerApiVersions(header.apiVersion);
  encodeApiVersionsResponse(out, answer.response, answer.version);
};
