/**
 * The simulator's notion of now: a base clock (real time by default, or a fixed function in tests) plus
 * an offset that tests and the demo move. Listeners run after every change (the order stream ticks).
 */
export class SimClock {
  private offsetMs = 0;
  private readonly listeners: Array<(now: Date) => void> = [];

  constructor(private readonly base: () => Date = () => new Date()) {}

  now(): Date {
    return new Date(this.base().getTime() + this.offsetMs);
  }

  /** Jumps to `at`; time keeps flowing from there if the base clock flows. */
  set(at: Date): void {
    this.offsetMs = at.getTime() - this.base().getTime();
    this.changed();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
    this.changed();
  }

  onChange(listener: (now: Date) => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    const now = this.now();
    for (const listener of this.listeners) listener(now);
  }
}
