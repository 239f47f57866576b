/**
 * Message timestamps as Slack writes them ("1732851234.000100": seconds, then six digits of
 * microseconds). Unique and increasing even when many messages land in the same microsecond.
 */
export class MessageTsClock {
  private lastMicros = 0;

  next(): string {
    const micros = Math.max(Date.now() * 1000, this.lastMicros + 100);
    this.lastMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    const fraction = String(micros % 1_000_000).padStart(6, '0');
    return `${seconds}.${fraction}`;
  }
}
