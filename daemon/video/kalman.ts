/**
 * A constant-velocity Kalman filter on a face box: centre x, centre y, width and height, each with its velocity in
 * pixels per frame. The four coordinates are independent (diagonal noise, each measured directly), so the 8-state
 * filter is exactly four 2-state filters, kept as such. Noise is proportional to the face's size, as in SORT and
 * DeepSORT: a large face near the camera moves and jitters more pixels than a small one far away.
 *
 * Time is in frames and may jump (the detector runs every k-th frame, a face is missed for a few): the process
 * noise is the continuous white-noise-acceleration model, so predicting 3 frames at once equals 3 single steps.
 */
import type { Rect } from '../protocol';

/** Detector jitter, per coordinate, as a fraction of the face's size (a few pixels on a 100-px face). */
const MEASUREMENT_STD = 0.05;
/** How fast a face's centre velocity may change: a fraction of its size per frame² (a head turning, a person stopping). */
const CENTRE_ACCELERATION_STD = 0.02;
/** Sizes change slowly (walking towards the camera). */
const SIZE_ACCELERATION_STD = 0.005;
/** A new face's velocity is unknown: this spread (size per frame) lets its second detection land anywhere within a face or so. */
const INITIAL_VELOCITY_STD = 0.1;
/** A size predicted through a long miss never falls below this fraction of the last measured size. */
const MIN_SIZE_FRACTION = 0.5;

/** One coordinate: position p, velocity v, covariance [[a, b], [b, c]]. */
interface Axis {
  p: number;
  v: number;
  a: number;
  b: number;
  c: number;
}

function predictAxis(axis: Axis, frames: number, accelerationVariance: number): Axis {
  const t = frames;
  return {
    p: axis.p + axis.v * t,
    v: axis.v,
    a: axis.a + 2 * axis.b * t + axis.c * t * t + (accelerationVariance * t * t * t) / 3,
    b: axis.b + axis.c * t + (accelerationVariance * t * t) / 2,
    c: axis.c + accelerationVariance * t,
  };
}

function updateAxis(axis: Axis, measured: number, measurementVariance: number): Axis {
  const innovationVariance = axis.a + measurementVariance;
  const gainP = axis.a / innovationVariance;
  const gainV = axis.b / innovationVariance;
  const innovation = measured - axis.p;
  return {
    p: axis.p + gainP * innovation,
    v: axis.v + gainV * innovation,
    a: axis.a * (1 - gainP),
    b: axis.b * (1 - gainP),
    c: axis.c - gainV * axis.b,
  };
}

/** Where the filter expects the face at a frame, and how sure it is of the centre (standard deviation, pixels). */
export interface BoxPrediction {
  box: Rect;
  centreStd: number;
}

export class BoxKalman {
  private constructor(
    /** cx, cy, w, h. */
    private readonly axes: readonly [Axis, Axis, Axis, Axis],
    /** The frame the state is at. */
    readonly frame: number,
    private readonly lastMeasuredSize: number,
  ) {}

  static start(box: Rect, frame: number): BoxKalman {
    const size = sizeOf(box);
    const measured = (MEASUREMENT_STD * size) ** 2;
    const velocity = (INITIAL_VELOCITY_STD * size) ** 2;
    const axis = (p: number): Axis => ({ p, v: 0, a: measured, b: 0, c: velocity });
    return new BoxKalman([axis(box.x + box.w / 2), axis(box.y + box.h / 2), axis(box.w), axis(box.h)], frame, size);
  }

  /** The state at `frame` (at or after this one), before any measurement there. */
  predict(frame: number): BoxKalman {
    const frames = frame - this.frame;
    if (frames === 0) return this;
    const size = this.lastMeasuredSize;
    const centre = (CENTRE_ACCELERATION_STD * size) ** 2;
    const sizes = (SIZE_ACCELERATION_STD * size) ** 2;
    const [cx, cy, w, h] = this.axes;
    return new BoxKalman([predictAxis(cx, frames, centre), predictAxis(cy, frames, centre), predictAxis(w, frames, sizes), predictAxis(h, frames, sizes)], frame, size);
  }

  /** This (predicted) state corrected by a detection at its frame. */
  update(box: Rect): BoxKalman {
    const size = sizeOf(box);
    const variance = (MEASUREMENT_STD * size) ** 2;
    const [cx, cy, w, h] = this.axes;
    const measured = [box.x + box.w / 2, box.y + box.h / 2, box.w, box.h] as const;
    return new BoxKalman(
      [updateAxis(cx, measured[0], variance), updateAxis(cy, measured[1], variance), updateAxis(w, measured[2], variance), updateAxis(h, measured[3], variance)],
      this.frame,
      size,
    );
  }

  /** The box the state describes, and the uncertainty of its centre. */
  estimate(): BoxPrediction {
    const [cx, cy, w, h] = this.axes;
    const floor = MIN_SIZE_FRACTION * this.lastMeasuredSize;
    const width = Math.max(w.p, floor);
    const height = Math.max(h.p, floor);
    return { box: { x: cx.p - width / 2, y: cy.p - height / 2, w: width, h: height }, centreStd: Math.sqrt(Math.max(cx.a, cy.a)) };
  }
}

/** The size noise scales with: the mean of width and height. */
export function sizeOf(box: Rect): number {
  return (box.w + box.h) / 2;
}
