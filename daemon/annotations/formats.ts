/** The label formats, by name: a record over every format, so one added to the protocol does not compile until written. */
import type { AnnotationFormat } from '../protocol';
import type { AnnotationCodec } from './codec';
import { coco } from './coco';
import { labelStudio } from './labelStudio';
import { voc } from './voc';
import { yolo } from './yolo';

export const CODECS: Record<AnnotationFormat, AnnotationCodec> = { coco, yolo, voc, labelstudio: labelStudio };
