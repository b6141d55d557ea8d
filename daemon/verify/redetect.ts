/**
 * `verify --redetect`: run the detector on committed images and place each face it finds against the redacted
 * regions. A face at least half inside them was found through the redaction (face-inside-redaction: too weak to
 * hide it, or the file no longer holds it); any other face was left bare (face-unredacted).
 */
import { committedMarginRule, type CommitImageEvent } from '../audit/events';
import type { Detector } from '../detection/detector';
import type { CallContext } from '../core/callContext';
import type { ImageRecord, VerifyFinding } from '../protocol';
import { decodeDisplayed, readImageBytes, type DecodeLimits } from '../image/decode';
import { resolveInside } from '../dataset/paths';
import { causeFor } from '../errors';
import { faceRegion } from '../redact/geometry';
import { boxesToRedact } from '../commit/select';
import { isVideoName } from '../image/formats';
import { redetectVideo } from './redetectVideo';
import { redetectFinding } from './redetectFinding';

export async function redetectFaces(
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
      if (isVideoName(file)) {
        findings.push(...(await redetectVideo(resolveInside(root, file), file, event, recordOf(file), detector, ctx.token.signal)));
        continue;
      }
      const image = await decodeDisplayed(await readImageBytes(resolveInside(root, file), file), file, limits);
      const boxes = boxesToRedact(recordOf(file)?.boxes ?? []);
      const regions = boxes.map((box) => faceRegion(box, committedMarginRule(event), image.width, image.height));
      for (const face of await detector.detect(image, {})) findings.push(redetectFinding(file, detector.model.name, face, regions, event.redaction.mode));
    } catch (error) {
      findings.push({ kind: 'redetect-failed', file, message: causeFor(file, error) });
    }
  }
  return findings;
}
