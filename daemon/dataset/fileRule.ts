/**
 * How a dataset's image or video file is read when Veil hashes or copies it whole (restore, backup, verify): a video by
 * VIDEO_FILE's size limit (hours of footage are gigabytes, always streamed), anything else as an image.
 */
import { isVideoName } from '../image/formats';
import { IMAGE_FILE } from '../image/imageFileRule';
import { VIDEO_FILE } from '../video/probe';
import type { FileRule } from '../storage/regularFile';

export function datasetFileRule(file: string): FileRule {
  return isVideoName(file) ? VIDEO_FILE : IMAGE_FILE;
}
