import * as grpc from '@grpc/grpc-js';
import { Cluster } from '../../src/cluster/cluster';
import { parseBrokerList } from '../../src/cluster/broker-list';
import { MetadataCache } from '../../src/cluster/metadata-cache';
import { GregorError } from '../../src/errors';

describe('parseBrokerList', () => {
  it('takes lists, comma-separated strings and the environment, without blanks or repeats', () => {
    expect(parseBrokerList(['a:1', 'b:2'])).toEqual(['a:1', 'b:2']);
    expect(parseBrokerList(' a:1, b:2 ,,a:1')).toEqual(['a:1', 'b:2']);
    expect(parseBrokerList(undefined, 'c:3,d:4')).toEqual(['c:3', 'd:4']);
    expect(parseBrokerList(undefined, undefined)).toEqual(['127.0.0.1:7070']);
    expect(parseBrokerList('', undefined)).toEqual(['127.0.0.1:7070']);
  });
});

describe('MetadataCache', () => {
  it('routes to the leader, follows redirects and forgets leaders in doubt', () => {
    const cache = new MetadataCache();
    cache.setBrokers([{ id: 1, address: 'h:1' }, { id: 2, address: 'h:2' }]);
    cache.setTopic('t', [{ leader: 1, replicas: [1, 2, 3] }, { leader: 2, replicas: [2, 3, 1] }, { leader: 0, replicas: [3, 1, 2] }]);
    expect(cache.partitionCount('t')).toBe(3);
    expect(cache.leaderAddress('t', 0)).toBe('h:1');
    expect(cache.leaderAddress('t', 2)).toBeUndefined();

    cache.redirect('t', 0, 3, 'h:3');
    expect(cache.leaderAddress('t', 0)).toBe('h:3');
    expect(cache.addressOf(3)).toBe('h:3');

    cache.forgetLeadersAt('h:2');
    expect(cache.leaderAddress('t', 1)).toBeUndefined();
    cache.forgetLeader('t', 0);
    expect(cache.route('t', 0)).toEqual({ leader: 0, replicas: [1, 2, 3] });
    cache.forgetTopic('t');
    expect(cache.partitionCount('t')).toBeUndefined();
  });

  it('keeps no address without a host or a port', () => {
    const cache = new MetadataCache();
    cache.setBrokers([{ id: 1, address: 'h:1' }]);
    cache.setBrokers([{ id: 1, address: ':0' }, { id: 2, address: ':7070' }, { id: 3, address: 'h:0' }]);
    cache.redirect('t', 0, 4, ':0');
    expect([1, 2, 3, 4].map((id) => cache.addressOf(id))).toEqual(['h:1', undefined, undefined, undefined]);
  });
});

describe('GregorError', () => {
  it('drops the empty resolution note grpc-js appends to a failed connection', () => {
    const details = 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ';
    expect(GregorError.from({ code: grpc.status.UNAVAILABLE, details }).message).toBe(
      'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(GregorError.from({ code: grpc.status.UNAVAILABLE, details: 'x. Resolution note: dns failed' }).message).toBe('x. Resolution note: dns failed');
  });

  it('reads the reason and the leader from trailing metadata', () => {
    const metadata = new grpc.Metadata();
    metadata.set('gregor-error', 'NOT_LEADER');
    metadata.set('gregor-leader-id', '3');
    metadata.set('gregor-leader-address', '127.0.0.1:7403');
    const err = GregorError.from({ code: grpc.status.FAILED_PRECONDITION, details: 'moved', metadata, message: 'x' });
    expect(err).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'NOT_LEADER', leaderId: 3, leaderAddress: '127.0.0.1:7403' });
    expect(err.retriable).toBe(true);
    expect(err.redirect).toBe(true);
    expect(err.fromBroker).toBe(true);

    const fenced = GregorError.fromStatus({ code: grpc.status.FAILED_PRECONDITION, message: 'old epoch', reason: 'INVALID_PRODUCER_EPOCH' });
    expect(fenced.retriable).toBe(false);
    const broken = GregorError.from({ code: grpc.status.UNAVAILABLE, details: 'connection refused', metadata: new grpc.Metadata() });
    expect(broken.retriable).toBe(true);
    expect(broken.fromBroker).toBe(false);
  });
});

describe('Cluster.noteError', () => {
  const cluster = new Cluster({ brokers: ['h:1', 'h:2'] });
  afterAll(() => cluster.close());

  it('redirects, forgets a leader or a topic, and suspects a broker that did not answer', () => {
    cluster.metadata.setBrokers([{ id: 1, address: 'h:1' }, { id: 2, address: 'h:2' }]);
    const reset = (): void => cluster.metadata.setTopic('t', [{ leader: 1, replicas: [1, 2] }, { leader: 1, replicas: [1, 2] }]);
    reset();
    cluster.noteError('t', 0, 'h:1', new GregorError(grpc.status.FAILED_PRECONDITION, 'moved', { reason: 'NOT_LEADER', leaderId: 2, leaderAddress: 'h:2' }));
    expect(cluster.metadata.leaderAddress('t', 0)).toBe('h:2');
    cluster.noteError('t', 0, 'h:2', new GregorError(grpc.status.UNAVAILABLE, 'electing', { reason: 'LEADER_NOT_AVAILABLE' }));
    expect(cluster.metadata.route('t', 0)!.leader).toBe(0);
    expect(cluster.metadata.leaderAddress('t', 1)).toBe('h:1');

    reset();
    cluster.noteError('t', 0, 'h:1', new GregorError(grpc.status.UNAVAILABLE, 'connection refused'));
    expect(cluster.metadata.leaderAddress('t', 0)).toBeUndefined();
    expect(cluster.metadata.leaderAddress('t', 1)).toBeUndefined();

    cluster.noteError('t', 0, 'h:1', new GregorError(grpc.status.NOT_FOUND, 'unknown topic'));
    expect(cluster.metadata.partitionCount('t')).toBeUndefined();
  });
});

describe('Cluster metadata lookups', () => {
  /** A cluster whose brokers answer DescribeTopic with `answers[address]`. */
  function clusterAnswering(answers: Record<string, () => unknown>): Cluster {
    const cluster = new Cluster({ brokers: Object.keys(answers) });
    (cluster as unknown as { connection(address: string): unknown }).connection = (address: string) => ({
      unary: async () => answers[address](),
      close: () => undefined,
    });
    return cluster;
  }
  const notFound = (): never => {
    throw { code: grpc.status.NOT_FOUND, details: 'unknown topic "t"' };
  };

  it('takes a topic from a broker that knows it when another has not applied its creation yet', async () => {
    const cluster = clusterAnswering({ 'a:1': notFound, 'b:2': notFound, 'c:3': () => ({ name: 't', partitions: [{ partition: 0, leader: 0, replicas: [1] }] }) });
    for (let i = 0; i < 3; i++) {
      cluster.metadata.forgetTopic('t');
      await cluster.refreshTopic('t');
      expect(cluster.metadata.partitionCount('t')).toBe(1);
    }
  });

  it('answers NOT_FOUND once every broker said so', async () => {
    const cluster = clusterAnswering({ 'a:1': notFound, 'b:2': notFound });
    await expect(cluster.refreshTopic('t')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
