import { KafkaWireError } from './errors';
import { WireReader, type TaggedFields } from './wire-reader';
import type { WireWriter } from './wire-writer';

/**
 * Request header versions: 1 (api key, version, correlation id, client id) for classic API
 * versions, 2 (the same plus tagged fields) for flexible ones. The client id stays an int16-length
 * nullable string in version 2, so that any broker can read who sent a request it cannot parse.
 */
export type RequestHeaderVersion = 1 | 2;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  taggedFields: TaggedFields;
}

export interface ParsedRequest {
  header: RequestHeader;
  /** The request body, still encoded: read it with the API's own decoder. */
  body: WireReader;
}

/** The first 8 bytes of every request, whatever its version: enough to answer an error. */
export function peekRequestKey(frame: Buffer): { apiKey: number; apiVersion: number; correlationId: number } {
  if (frame.length < 8) throw new KafkaWireError('TRUNCATED', `a request header needs 8 bytes, the frame has ${frame.length}`);
  return { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4) };
}

/** Reads a request's header; `headerVersion` says, for its API and version, which header it has. */
export function parseRequest(frame: Buffer, headerVersion: (apiKey: number, apiVersion: number) => RequestHeaderVersion): ParsedRequest {
  const reader = new WireReader(frame);
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const clientId = reader.nullableString();
  const taggedFields = headerVersion(apiKey, apiVersion) === 2 ? reader.taggedFields() : new Map();
  return { header: { apiKey, apiVersion, correlationId, clientId, taggedFields }, body: reader };
}

export function writeRequestHeader(writer: WireWriter, header: Omit<RequestHeader, 'taggedFields'>, version: RequestHeaderVersion): void {
  writer.int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId).nullableString(header.clientId);
  if (version === 2) writer.taggedFields();
}

/**
 * Response header versions: 0 (correlation id) and 1 (plus tagged fields, for flexible versions).
 * ApiVersions answers with version 0 whatever its own version, so that a client that asked with a
 * version the broker does not know can still read the error and the versions it offers.
 */
export type ResponseHeaderVersion = 0 | 1;

export function writeResponseHeader(writer: WireWriter, correlationId: number, version: ResponseHeaderVersion): void {
  writer.int32(correlationId);
  if (version === 1) writer.taggedFields();
}

export function readResponseHeader(reader: WireReader, version: ResponseHeaderVersion): { correlationId: number; taggedFields: TaggedFields } {
  const correlationId = reader.int32();
  return { correlationId, taggedFields: version === 1 ? reader.taggedFields() : new Map() };
}
