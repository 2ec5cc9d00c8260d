import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import { PROTO_FILES, PROTO_ROOT } from '@gregor/proto';
import * as protobuf from 'protobufjs';
import { BrokerError } from '../errors';
import { statusError } from '../services/handlers';
import { checkWire } from './wire-check';

/**
 * What a request deserializes to when its bytes are not a well-formed message. grpc-js answers a
 * deserializer that throws with INTERNAL; this lets rejectUndecodable answer INVALID_ARGUMENT.
 */
class UndecodableRequest {
  constructor(readonly error: unknown) {}
}

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.resolve(PROTO_ROOT, target);
  root.loadSync(PROTO_FILES);
  root.resolveAll();
  return root;
}

let root: protobuf.Root | undefined;

function requestType(method: grpc.MethodDefinition<unknown, unknown>): protobuf.Type {
  root ??= loadRoot();
  const [, service, name] = /^\/(.+)\/([^/]+)$/.exec(method.path) ?? [];
  return root.lookupService(service).methods[name].resolvedRequestType!;
}

/** The service with every request checked by checkWire before it is decoded. */
export function strictRequests(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const strict: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    const type = requestType(method);
    const decode = method.requestDeserialize;
    const requestDeserialize = (bytes: Buffer): unknown => {
      try {
        checkWire(type, bytes);
        return decode(bytes);
      } catch (err) {
        return new UndecodableRequest(err instanceof BrokerError ? err : new BrokerError('INVALID_REQUEST', `malformed request: ${String(err)}`));
      }
    };
    strict[name] = { ...method, requestDeserialize };
  }
  return strict;
}

/** Ends a call whose request (or any message of its stream) did not decode with INVALID_ARGUMENT. */
export const rejectUndecodable: grpc.ServerInterceptor = (_method, call) => {
  const intercepted: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMessage: (message: unknown, pass: (message: unknown) => void) => {
          if (!(message instanceof UndecodableRequest)) return pass(message);
          const { code, details, metadata } = statusError(message.error);
          intercepted.sendStatus({ code: code ?? grpc.status.INVALID_ARGUMENT, details: details ?? '', metadata });
        },
      }),
  });
  return intercepted;
};
