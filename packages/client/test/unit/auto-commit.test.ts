import { AutoCommit } from '../../src/consumer/auto-commit';
import { ConsumedOffsets } from '../../src/consumer/consumed-offsets';
import { tpKey, type TopicPartitionOffset } from '../../src/consumer/topic-partitions';
import { ManualClock } from './group/manual-clock';

const tp = { topic: 't', partition: 0 };
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What the consumer's iterator tells the tracker as it hands out one record and is asked for the next. */
function handOut(consumed: ConsumedOffsets, offset: number): void {
  consumed.handingOut();
  consumed.moved(tpKey(tp), tp, offset + 1);
}

describe('AutoCommit over ConsumedOffsets', () => {
  it('commits a position only once the application came back after the records before it', async () => {
    const clock = new ManualClock();
    const consumed = new ConsumedOffsets();
    const commits: TopicPartitionOffset[][] = [];
    const errors: unknown[] = [];
    const autoCommit = new AutoCommit(clock, 1000, () => consumed.safe(), async (offsets) => void commits.push(offsets), (err) => errors.push(err));
    autoCommit.start();
    // Assigned at offset 10 with the application not yet polling: nothing is processed yet.
    consumed.moved(tpKey(tp), tp, 10);
    clock.advance(1000);
    await settle();
    expect(commits).toEqual([]);

    consumed.pulled();
    handOut(consumed, 10);
    clock.advance(1000);
    await settle();
    // Record 10 is with the application: the start position is safe, 11 is not.
    expect(commits).toEqual([[{ ...tp, offset: 10 }]]);

    consumed.pulled();
    handOut(consumed, 11);
    consumed.pulled();
    clock.advance(1000);
    await settle();
    // Waiting for more: everything handed out is processed.
    expect(commits.at(-1)).toEqual([{ ...tp, offset: 12 }]);

    clock.advance(1000);
    await settle();
    expect(commits).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('never has two commits in flight: one asked for while another retries starts after it, with the newest positions', async () => {
    const clock = new ManualClock();
    let position = 10;
    const started: number[] = [];
    const finish: Array<() => void> = [];
    const autoCommit = new AutoCommit(clock, 1000, () => [{ ...tp, offset: position }], (offsets) => {
      started.push(offsets[0].offset);
      return new Promise<void>((resolve) => finish.push(resolve));
    }, () => undefined);
    const first = autoCommit.commitNow();
    await settle();
    position = 15;
    const second = autoCommit.commitNow();
    await settle();
    // The first is still in flight (its coordinator died): the second waits rather than racing it.
    expect(started).toEqual([10]);
    finish[0]();
    await first;
    await settle();
    expect(started).toEqual([10, 15]);
    finish[1]();
    await second;
  });

  it('keeps committing on its interval after a failed commit', async () => {
    const clock = new ManualClock();
    const consumed = new ConsumedOffsets();
    const errors: unknown[] = [];
    let failures = 1;
    const committed: number[] = [];
    const autoCommit = new AutoCommit(clock, 1000, () => consumed.safe(), async (offsets) => {
      if (failures-- > 0) throw new Error('coordinator moving');
      committed.push(...offsets.map((o) => o.offset));
    }, (err) => errors.push(err));
    autoCommit.start();
    consumed.moved(tpKey(tp), tp, 5);
    consumed.pulled();
    clock.advance(1000);
    await settle();
    clock.advance(1000);
    await settle();
    expect(errors).toHaveLength(1);
    expect(committed).toEqual([5]);
  });
});
