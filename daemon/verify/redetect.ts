/** `verify --redetect`: run the detector on committed images; any face not inside a redacted region is a finding. */
import type { CommitImageEvent } from '../audit/events';
import type { Detector } from '../detection/detector';
import type { CallContext } from '../core/callContext';
import type { Face, ImageRecord, Rect, VerifyFinding } from '../protocol';
import { decodeDisplayed, readImageBytes, type DecodeLimits } from '../image/decode';
import { resolveInside } from '../dataset/paths';
import { causeFor } from '../errors';
import { redactionRegion } from '../redact/geometry';
import { boxesToRedact } from '../commit/select';

/** A face counts as covered when its centre lies in a redacted region. */
function covered(face: Face, regions: readonly Rect[]): boolean {
  const cx = face.x + face.w / 2;
  const cy = face.y + face.h / 2;
  return regions.some((r) => cx >= r.x && cx <= r.x + r.w && cy >= r.y && cy <= r.y + r.h);
}

export async function facesOutsideRedaction(
  root: string,
  latest: ReadonlyMap<string, CommitImageEvent>,
  recordOf: (file: string) => ImageRecord | undefined,
  detector: Pick<Detector, 'detect' | 'model'>,
  limits: DecodeLimits,
  ctx: CallContext,
): Promise<VerifyFinding[]> {
  const findings: VerifyFinding[] = [];
  let done = 0;
  for (const [file, event] of latest) {
    ctx.token.throwIfCancelled();
    ctx.progress({ done: done++, total: latest.size, file, message: 're-detecting faces' });
    try {
      const image = await decodeDisplayed(await readImageBytes(resolveInside(root, file), file), file, limits);
      const boxes = boxesToRedact(recordOf(file)?.boxes ?? []);
      const regions = boxes.map((box) => redactionRegion(box, event.redaction.margin, image.width, image.height));
      for (const face of await detector.detect(image, {})) {
        if (covered(face, regions)) continue;
        findings.push({
          kind: 'face-unredacted',
          file,
          message: `${detector.model.name} finds a face (score ${face.score.toFixed(2)}) at ${Math.round(face.x)},${Math.round(face.y)} ${Math.round(face.w)}x${Math.round(face.h)}, outside every redacted box`,
        });
      }
    } catch (error) {
      findings.push({ kind: 'redetect-failed', file, message: causeFor(file, error) });
    }
  }
  return findings;
}
