import { describe, expect, it } from 'vitest';
import { createProgressThrottle, emptyCounts, type ProgressPayload } from '../../src/migration/progress.js';

const payload = (done: number): ProgressPayload => ({
  step: 'cloning',
  done,
  total: 100,
  counts: emptyCounts(),
});

describe('progress throttle', () => {
  it('sends at most one update per interval, always the latest, and flushes the last', async () => {
    let clock = 0;
    const sent: number[] = [];
    const throttle = createProgressThrottle(
      (p) => void sent.push(p.done),
      250,
      (error) => {
        throw error;
      },
      () => clock,
    );
    throttle.update(payload(1)); // first goes at once
    await Promise.resolve();
    for (let done = 2; done <= 10; done++) {
      clock += 20;
      throttle.update(payload(done));
    }
    expect(sent).toEqual([1]);
    await throttle.flush();
    expect(sent).toEqual([1, 10]);
    throttle.stop();
  });

  it('hands a failed update to onDropped and keeps publishing the ones after it', async () => {
    const sent: number[] = [];
    const dropped: unknown[] = [];
    const throttle = createProgressThrottle(
      async (p) => {
        if (p.done === 1) throw new Error('chat.update: ratelimited');
        sent.push(p.done);
      },
      0,
      (error) => dropped.push(error),
    );
    throttle.update(payload(1));
    await throttle.flush();
    throttle.update(payload(2));
    await throttle.flush();
    expect(dropped).toEqual([new Error('chat.update: ratelimited')]);
    expect(sent).toEqual([2]);
  });
});
