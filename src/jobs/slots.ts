// Slots: when a slot job's slot begins and ends, each shop's own claims slot (its phase, ADR 0027), how
// often every process ticks, and the job id every process derives from a kind, a key and a slot.
import { createHash } from 'node:crypto';
import cronParser from 'cron-parser';

/** A tick that fires late, or a clock a little ahead, still names the slot of the tick it belongs to. */
export const SLOT_TOLERANCE_MS = 2_000;

/** The slot a moment belongs to: the latest scheduled tick of `schedule` at or before it. */
export function slotOf(schedule: string, at: Date): Date {
  return cronParser.parseExpression(schedule, { currentDate: new Date(at.getTime() + SLOT_TOLERANCE_MS) }).prev().toDate();
}

/** When the slot that begins at `slot` ends: the schedule's next tick after it. */
export function nextSlotOf(schedule: string, slot: Date): Date {
  return cronParser.parseExpression(schedule, { currentDate: slot }).next().toDate();
}

/** The slot before the one that begins at `slot`. */
function previousSlotOf(schedule: string, slot: Date): Date {
  return cronParser.parseExpression(schedule, { currentDate: slot }).prev().toDate();
}

/** Where in every slot of the claims schedule a shop's own slot begins: a stable fraction, from a hash of its id. */
export function shopPhase(shopId: string): number {
  return createHash('sha1').update(`claims\u0000${shopId}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Each shop's own claims slot at `at` (ADR 0027): the schedule's slots, each shifted by the shop's phase of
 * its length, so a 2-minute interval starts 1/120 of the shops each second instead of all at its tick.
 * Computed once per tick for every shop (the schedule is parsed once). Like slotOf, a moment up to
 * SLOT_TOLERANCE_MS before a shop's slot names that slot.
 */
export function shopSlotsAt(schedule: string, at: Date): (shopId: string) => Date {
  const bounds = shopSlotBoundsAt(schedule, at);
  return (shopId) => bounds(shopId).slot;
}

/** As shopSlotsAt, with each shop's slot's end (its next slot): a job carries it, so no job parses the schedule. */
export function shopSlotBoundsAt(schedule: string, at: Date): (shopId: string) => { slot: Date; end: Date } {
  const current = slotOf(schedule, at);
  const next = nextSlotOf(schedule, current).getTime();
  const afterNext = nextSlotOf(schedule, new Date(next)).getTime();
  const previous = previousSlotOf(schedule, current).getTime();
  const edge = at.getTime() + SLOT_TOLERANCE_MS;
  const from = current.getTime();
  return (shopId) => {
    const phase = shopPhase(shopId);
    const start = from + Math.floor(phase * (next - from));
    if (start <= edge) return { slot: new Date(start), end: new Date(next + Math.floor(phase * (afterNext - next))) };
    return { slot: new Date(previous + Math.floor(phase * (from - previous))), end: new Date(start) };
  };
}

/** The shop's claims slot after the one that begins at `slot` (where a slot poll's own slot ends). */
export function shopSlotEnd(schedule: string, shopId: string, slot: Date): Date {
  const within = cronParser.parseExpression(schedule, { currentDate: new Date(slot.getTime() + 1) }).prev().toDate();
  const next = nextSlotOf(schedule, within);
  return new Date(next.getTime() + Math.floor(shopPhase(shopId) * (nextSlotOf(schedule, next).getTime() - next.getTime())));
}

/** The length of the schedule's slot at `at`. */
export function slotLengthMs(schedule: string, at = new Date()): number {
  const current = slotOf(schedule, at);
  return nextSlotOf(schedule, current).getTime() - current.getTime();
}

/**
 * How often every process ticks to queue what came due: about 24 times per claims slot (every 5 s at the
 * default 2 minutes, every 1 s for slots of seconds, at most every 30 s), so a shop's slot is queued at
 * most that long after it begins. A divisor of a minute, as a cron expression with seconds.
 */
export function tickScheduleFor(schedule: string, at = new Date()): string {
  const seconds = slotLengthMs(schedule, at) / 1000;
  const period = [30, 20, 15, 12, 10, 6, 5, 4, 3, 2, 1].find((p) => p <= seconds / 24) ?? 1;
  return `*/${period} * * * * *`;
}

/** The same id for the same job from every process (a name-based UUID), so a second insert is a no-op. */
export function slotJobId(kind: string, key: string, slot: Date): string {
  const hex = createHash('sha1').update(`${kind}\u0000${key}\u0000${slot.toISOString()}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
