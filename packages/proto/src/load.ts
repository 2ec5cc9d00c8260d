import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** proto/ at the repository root; the same from src/ (jest) and dist/ (node). */
export const PROTO_ROOT = path.resolve(__dirname, '../../../proto');

export const PROTO_FILES = [
  'gregor/v1/common.proto',
  'gregor/v1/log.proto',
  'gregor/v1/admin.proto',
  'gregor/v1/groups.proto',
  'gregor/v1/peer.proto',
  'grpc/health/v1/health.proto',
];

/**
 * int64 as JS numbers (offsets stay below 2^53), bytes as Buffer, enums as
 * their names, every scalar present with its default, oneof names set.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

interface LoadedServices {
  Log: grpc.ServiceClientConstructor;
  Admin: grpc.ServiceClientConstructor;
  Groups: grpc.ServiceClientConstructor;
  /** Broker-to-broker Raft traffic; not part of the public API. */
  Peer: grpc.ServiceClientConstructor;
  Health: grpc.ServiceClientConstructor;
}

function loadServices(): LoadedServices {
  const definition = protoLoader.loadSync(PROTO_FILES, LOADER_OPTIONS);
  const root = grpc.loadPackageDefinition(definition) as unknown as {
    gregor: { v1: Record<string, grpc.ServiceClientConstructor> };
    grpc: { health: { v1: Record<string, grpc.ServiceClientConstructor> } };
  };
  return {
    Log: root.gregor.v1.Log,
    Admin: root.gregor.v1.Admin,
    Groups: root.gregor.v1.Groups,
    Peer: root.gregor.v1.Peer,
    Health: root.grpc.health.v1.Health,
  };
}

export const services: LoadedServices = loadServices();
