import * as grpc from '@grpc/grpc-js';
import type { DescribeClusterResponse, TopicDescription } from '@gregor/proto';
import { Connection } from '../connection';
import { GregorError } from '../errors';
import { backoffDelay, sleep } from '../retry';
import { parseBrokerList } from './broker-list';
import { MetadataCache } from './metadata-cache';

export interface ClusterOptions {
  /** Bootstrap brokers, 'host:port' each or one comma-separated string. Default $GREGOR_BROKER or 127.0.0.1:7070. */
  brokers?: string | readonly string[];
  /** One bootstrap broker (kept for older callers); `brokers` wins. */
  broker?: string;
  /** Same as `broker`. */
  address?: string;
  /** Per-call deadline for unary calls, ms (default 30000). */
  requestTimeoutMs?: number;
  /** First retry delay on retriable errors, ms (default 100); doubles up to retryBackoffMaxMs (default 1000, as Kafka's retry.backoff.max.ms). */
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  /** A topic's partitions are asked for again after this long, so added partitions are used (default 300000, as Kafka's metadata.max.age.ms). */
  metadataMaxAgeMs?: number;
}

/** Rounds over every broker, none reachable, after which a general request fails. */
const UNREACHABLE_ROUNDS = 3;
/** How long a broker that failed to answer is asked last for metadata, ms. */
const SUSPECT_MS = 5000;

/**
 * The client's view of a cluster: one Connection per broker, a metadata
 * cache (partition leaders, broker addresses) and the retry rules every
 * partition request follows — go to the leader, follow NOT_LEADER
 * redirects at once, refresh metadata and back off on other retriable
 * errors, give up at a deadline.
 */
export class Cluster {
  readonly bootstrap: string[];
  readonly requestTimeoutMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly metadataMaxAgeMs: number;
  private readonly connections = new Map<string, Connection>();
  /** Connections handed in by the caller: used, never closed. */
  private readonly borrowed = new Set<Connection>();
  readonly metadata = new MetadataCache();
  private readonly topicLookups = new Map<string, Promise<void>>();
  private brokerLookup: Promise<void> | null = null;
  private readonly suspectUntil = new Map<string, number>();
  /** The broker general requests go to first: the last one that answered. */
  private preferred = 0;
  private rotation = 0;
  private closed = false;

  constructor(options: ClusterOptions = {}, connection?: Connection) {
    this.bootstrap = connection ? [connection.address] : parseBrokerList(options.brokers ?? options.broker ?? options.address);
    this.requestTimeoutMs = options.requestTimeoutMs ?? connection?.requestTimeoutMs ?? 30000;
    this.backoff = { initialMs: options.retryBackoffMs ?? 100, maxMs: options.retryBackoffMaxMs ?? 1000 };
    this.metadataMaxAgeMs = options.metadataMaxAgeMs ?? 300_000;
    if (connection) {
      this.connections.set(connection.address, connection);
      this.borrowed.add(connection);
    }
  }

  /** The connection to a broker, opened on first use. */
  connection(address: string): Connection {
    if (this.closed) throw new GregorError(grpc.status.CANCELLED, 'client is closed');
    let connection = this.connections.get(address);
    if (!connection) {
      connection = new Connection({ address, requestTimeoutMs: this.requestTimeoutMs });
      this.connections.set(address, connection);
    }
    return connection;
  }

  /** The first bootstrap broker's connection (for callers that want one channel). */
  get primary(): Connection {
    return this.connection(this.bootstrap[0]);
  }

  backoffDelay(attempt: number): number {
    return backoffDelay(attempt, this.backoff);
  }

  private isSuspect(address: string, now: number): boolean {
    return (this.suspectUntil.get(address) ?? 0) > now;
  }

  /** The given brokers, those that did not fail lately first, each group in the given order. */
  private healthyFirst(addresses: readonly string[]): string[] {
    const now = Date.now();
    return [...addresses.filter((a) => !this.isSuspect(a, now)), ...addresses.filter((a) => this.isSuspect(a, now))];
  }

  private markSuspect(address: string): void {
    this.suspectUntil.set(address, Date.now() + SUSPECT_MS);
  }

  private markHealthy(address: string): void {
    this.suspectUntil.delete(address);
  }

  /**
   * A unary call any broker can answer (admin, groups): the broker that
   * answered last first, then the others; retriable failures move on to the
   * next broker and, after a full round, back off until the deadline.
   */
  async callAny<Res>(service: 'Admin' | 'Groups' | 'Log' | 'Health', method: string, request: object, timeoutMs = this.requestTimeoutMs): Promise<Res> {
    const deadline = Date.now() + timeoutMs;
    let unreachableRounds = 0;
    for (let round = 0; ; round++) {
      const order = this.roundOrder();
      let last: GregorError | null = null;
      let answered = false;
      for (const address of order) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        try {
          const response = await this.connection(address).unary<object, Res>(service, method, request, remaining);
          this.markHealthy(address);
          this.preferred = Math.max(0, this.bootstrap.indexOf(address));
          return response;
        } catch (err) {
          last = GregorError.from(err);
          if (!last.retriable) throw last;
          if (last.fromBroker) answered = true;
          else this.markSuspect(address);
        }
      }
      // Brokers that answer "not yet" are waited for until the deadline; a cluster no broker of which is reachable fails sooner.
      unreachableRounds = answered ? 0 : unreachableRounds + 1;
      const delay = this.backoffDelay(round);
      if (!last || unreachableRounds >= UNREACHABLE_ROUNDS || Date.now() + delay >= deadline) throw last ?? new GregorError(grpc.status.DEADLINE_EXCEEDED, `no broker answered ${service}.${method} in ${timeoutMs} ms`);
      await sleep(delay);
    }
  }

  /** Bootstrap brokers from the preferred one on, then discovered ones; suspects last. */
  private roundOrder(): string[] {
    const rotated = [...this.bootstrap.slice(this.preferred), ...this.bootstrap.slice(0, this.preferred)];
    return this.healthyFirst([...new Set([...rotated, ...this.metadata.knownAddresses()])]);
  }

  /** A metadata question for one broker, a different one each time so a stale answer is not repeated. */
  /**
   * Asks the brokers in turn until one answers. A broker applies the metadata log a little after
   * the broker that made a change: `notFoundMayLag` takes NOT_FOUND as that broker's lag, and
   * answers it only once every broker reached has said so.
   */
  private async askForMetadata<Res>(method: string, request: object, notFoundMayLag = false): Promise<Res> {
    const all = [...new Set([...this.bootstrap, ...this.metadata.knownAddresses()])];
    const start = this.rotation++ % all.length;
    const rotated = this.healthyFirst([...all.slice(start), ...all.slice(0, start)]);
    let last: GregorError | null = null;
    let notFound: GregorError | null = null;
    for (const address of rotated) {
      try {
        const response = await this.connection(address).unary<object, Res>('Admin', method, request, Math.min(this.requestTimeoutMs, 5000));
        this.markHealthy(address);
        return response;
      } catch (err) {
        last = GregorError.from(err);
        if (notFoundMayLag && last.code === 'NOT_FOUND') {
          notFound = last;
          continue;
        }
        if (!last.retriable) throw last;
        if (!last.fromBroker) this.markSuspect(address);
      }
    }
    throw notFound ?? last ?? new GregorError(grpc.status.UNAVAILABLE, 'no broker to ask for metadata');
  }

  /** Broker ids and addresses (DescribeCluster); concurrent callers share one request. */
  refreshBrokers(): Promise<void> {
    if (!this.brokerLookup) {
      this.brokerLookup = this.askForMetadata<DescribeClusterResponse>('DescribeCluster', {})
        .then((response) => this.metadata.setBrokers(response.brokers.map((b) => ({ id: b.id, address: `${b.host}:${b.port}` }))))
        .finally(() => (this.brokerLookup = null));
    }
    return this.brokerLookup;
  }

  /** A topic's partitions and leaders (DescribeTopic); concurrent callers share one request. */
  refreshTopic(topic: string): Promise<void> {
    let lookup = this.topicLookups.get(topic);
    if (!lookup) {
      lookup = this.askForMetadata<TopicDescription>('DescribeTopic', { name: topic }, true)
        .then(async (description) => {
          this.metadata.setTopic(topic, description.partitions.map((p) => ({ leader: p.leader, replicas: p.replicas })));
          const unknown = description.partitions.some((p) => p.leader > 0 && this.metadata.addressOf(p.leader) === undefined);
          if (unknown) await this.refreshBrokers();
        })
        .finally(() => this.topicLookups.delete(topic));
      this.topicLookups.set(topic, lookup);
    }
    return lookup;
  }

  /** Refreshes a topic's metadata in the background once it is older than metadataMaxAgeMs; the caller goes on with what is known. */
  refreshIfStale(topic: string, now: number): void {
    if (!this.metadata.isStale(topic, now, this.metadataMaxAgeMs) || this.topicLookups.has(topic)) return;
    // A failed refresh leaves the topic stale, so the next call asks again.
    this.refreshTopic(topic).catch(() => undefined);
  }

  async partitionCount(topic: string): Promise<number> {
    const known = this.metadata.partitionCount(topic);
    if (known !== undefined) return known;
    await this.refreshTopic(topic);
    return this.metadata.partitionCount(topic)!;
  }

  /** The leader's address, refreshing metadata when it is not known; LEADER_NOT_AVAILABLE when no broker knows it. */
  async leaderAddress(topic: string, partition: number): Promise<string> {
    let address = this.metadata.leaderAddress(topic, partition);
    if (address) return address;
    await this.refreshTopic(topic);
    const route = this.metadata.route(topic, partition);
    if (!route) {
      throw new GregorError(grpc.status.NOT_FOUND, `unknown partition ${partition} of topic ${JSON.stringify(topic)}`);
    }
    address = this.metadata.leaderAddress(topic, partition);
    if (!address) {
      throw new GregorError(grpc.status.UNAVAILABLE, `${topic}-${partition} has no known leader yet`, { reason: 'LEADER_NOT_AVAILABLE' });
    }
    return address;
  }

  /** Learns from a failed partition request so the next attempt goes to the right broker. */
  noteError(topic: string, partition: number, address: string | null, err: GregorError): void {
    if (err.redirect) {
      this.metadata.redirect(topic, partition, err.leaderId, err.leaderAddress);
    } else if (err.reason === 'NOT_LEADER' || err.reason === 'LEADER_NOT_AVAILABLE') {
      this.metadata.forgetLeader(topic, partition);
    } else if (err.code === 'NOT_FOUND') {
      this.metadata.forgetTopic(topic);
    } else if (err.retriable && !err.fromBroker) {
      this.metadata.forgetLeader(topic, partition);
      if (address) {
        this.markSuspect(address);
        this.metadata.forgetLeadersAt(address);
      }
    }
  }

  /** A request answered: its broker is reachable. */
  noteSuccess(address: string): void {
    this.markHealthy(address);
  }

  /**
   * Runs a partition request on the partition's leader, following leader
   * changes until it succeeds, fails for good, or the deadline passes.
   */
  async onLeader<T>(topic: string, partition: number, call: (connection: Connection) => Promise<T>, timeoutMs = this.requestTimeoutMs): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let redirects = 0;
    for (let attempt = 0; ; attempt++) {
      let address: string | null = null;
      try {
        address = await this.leaderAddress(topic, partition);
        const result = await call(this.connection(address));
        this.noteSuccess(address);
        return result;
      } catch (err) {
        const error = GregorError.from(err);
        this.noteError(topic, partition, address, error);
        if (!error.retriable) throw error;
        // Follow a redirect at once, unless brokers keep pointing elsewhere (stale views during an election).
        const delay = error.redirect && redirects++ < 3 ? 0 : this.backoffDelay(attempt);
        if (Date.now() + delay >= deadline) throw error;
        if (delay > 0) await sleep(delay);
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const connection of this.connections.values()) if (!this.borrowed.has(connection)) connection.close();
    this.connections.clear();
  }
}
