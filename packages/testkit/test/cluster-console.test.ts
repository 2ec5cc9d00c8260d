import { ConsoleCluster, runConsoleCommand } from '../src/cluster-console';

/** A cluster of two brokers that records what the console asked of it. */
function fakeCluster(): ConsoleCluster & { calls: string[] } {
  const running = new Set([1, 2]);
  const calls: string[] = [];
  return {
    calls,
    ids: [1, 2],
    isRunning: (id) => running.has(id),
    address: (id) => `127.0.0.1:707${id}`,
    start: async (id) => {
      calls.push(`start ${id}`);
      running.add(id);
    },
    kill: async (id, signal) => {
      calls.push(`${signal} ${id}`);
      running.delete(id);
    },
  };
}

describe('the npm run cluster console', () => {
  it('restarts a broker, stopping it first when it runs', async () => {
    const cluster = fakeCluster();
    expect(await runConsoleCommand(cluster, 'restart 2')).toBe('broker 2 restarted at 127.0.0.1:7072');
    expect(await runConsoleCommand(cluster, 'kill 1')).toBe('broker 1 stopped');
    expect(await runConsoleCommand(cluster, ' restart  1 ')).toBe('broker 1 restarted at 127.0.0.1:7071');
    expect(cluster.calls).toEqual(['SIGTERM 2', 'start 2', 'SIGKILL 1', 'start 1']);
  });

  it('stops, starts and reports brokers', async () => {
    const cluster = fakeCluster();
    expect(await runConsoleCommand(cluster, 'stop 1')).toBe('broker 1 stopped');
    expect(await runConsoleCommand(cluster, 'stop 1')).toBe('broker 1 is not running');
    expect(await runConsoleCommand(cluster, 'status')).toBe('broker 1  127.0.0.1:7071  stopped\nbroker 2  127.0.0.1:7072  running');
    expect(await runConsoleCommand(cluster, 'start 1')).toBe('broker 1 started at 127.0.0.1:7071');
    expect(await runConsoleCommand(cluster, 'start 1')).toBe('broker 1 is already running');
  });

  it('answers what it cannot do with what it can', async () => {
    const cluster = fakeCluster();
    expect(await runConsoleCommand(cluster, 'restart 9')).toBe('no broker 9; brokers are 1, 2');
    expect(await runConsoleCommand(cluster, 'reboot')).toMatch(/^unknown command "reboot"; commands: status/);
    expect(await runConsoleCommand(cluster, 'reboot 1')).toMatch(/^unknown command "reboot"; commands: status/);
    expect(await runConsoleCommand(cluster, '')).toBe('');
    expect(cluster.calls).toEqual([]);
  });
});
