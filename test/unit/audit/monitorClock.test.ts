import assert from 'node:assert/strict';
import { wallClock, withinHours } from '../../../daemon/audit/monitorClock';
import type { PolicyWorkingHours } from '../../../daemon/protocol';

const weekdays: PolicyWorkingHours = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '19:00', timeZone: 'Europe/Berlin' };
const nights: PolicyWorkingHours = { days: ['fri'], from: '22:00', to: '06:00', timeZone: 'UTC' };

describe("the monitor's wall clock and working hours", () => {
  it("reads the weekday, date and time of an instant in the policy's time zone, daylight saving time included", () => {
    // 2026-03-29 is the day Berlin moves to summer time: 06:30 UTC is 08:30 there, a day before it was 07:30.
    assert.deepEqual(wallClock(new Date('2026-03-29T06:30:00Z'), 'Europe/Berlin'), { day: 'sun', minutes: 8 * 60 + 30, date: '2026-03-29', time: '08:30' });
    assert.deepEqual(wallClock(new Date('2026-03-28T06:30:00Z'), 'Europe/Berlin'), { day: 'sat', minutes: 7 * 60 + 30, date: '2026-03-28', time: '07:30' });
    // A UTC evening is already the next morning in Tokyo.
    assert.deepEqual(wallClock(new Date('2026-11-29T23:00:00Z'), 'Asia/Tokyo'), { day: 'mon', minutes: 8 * 60, date: '2026-11-30', time: '08:00' });
  });

  it('counts "from" in and "to" out, on the listed days only', () => {
    const at = (iso: string) => withinHours(wallClock(new Date(iso), 'Europe/Berlin'), weekdays);
    assert.equal(at('2026-11-30T06:00:00Z'), true, 'Monday 07:00 in Berlin');
    assert.equal(at('2026-11-30T05:59:00Z'), false, 'Monday 06:59');
    assert.equal(at('2026-11-30T18:00:00Z'), false, 'Monday 19:00');
    assert.equal(at('2026-11-29T12:00:00Z'), false, 'a Sunday noon');
  });

  it('hours whose end comes before their start span midnight and belong to the day they start on', () => {
    const at = (iso: string) => withinHours(wallClock(new Date(iso), 'UTC'), nights);
    assert.equal(at('2026-11-27T23:00:00Z'), true, 'Friday 23:00');
    assert.equal(at('2026-11-28T05:59:00Z'), true, 'Saturday 05:59, the Friday night shift');
    assert.equal(at('2026-11-28T06:00:00Z'), false, 'Saturday 06:00');
    assert.equal(at('2026-11-28T23:00:00Z'), false, 'Saturday 23:00: no shift starts on Saturday');
    assert.equal(at('2026-11-27T03:00:00Z'), false, 'Friday 03:00 belongs to Thursday night');
  });
});
