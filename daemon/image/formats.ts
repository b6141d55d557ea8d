/**
 * Which files of a dataset can hold a face, by name: the one home of that list. A scan finds every file named
 * here; a commit accounts for each (anonymized, refused with the reason below, or excluded by a person), so no
 * photo is left as it was without a word. Veil reads and anonymizes the images named as in READABLE (their content
 * decides the format, as before: a PNG named .jpg is read as a PNG) and the videos named as in READABLE_VIDEOS; every
 * other name listed is refused, with why.
 *
 * Not listed on purpose: documents and archives (PDF, office files, zip), which can embed photos but are not
 * media a dataset of faces is made of; `.ts`/`.mts` (MPEG transport streams share them with TypeScript sources).
 */
import { extname } from 'node:path';
import { WRITTEN_EXTENSIONS } from '../video/outputContainers';

/** What Veil does with a file, by its name: reads it as an image or as a video, or refuses it (the cause, for the user). */
export type FaceFileKind = { reads: 'image' | 'video' } | { refused: string };

/** Names of the images Veil anonymizes: JPEG, PNG, WebP, TIFF, GIF (what sharp both decodes and encodes). */
const READABLE = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif'];

/** Image formats Veil cannot anonymize yet, each with the names it goes by. */
const REFUSED_IMAGES: ReadonlyArray<{ what: string; names: readonly string[] }> = [
  { what: 'HEIF/HEIC images', names: ['.heic', '.heif', '.hif'] },
  { what: 'AVIF images', names: ['.avif'] },
  { what: 'BMP images', names: ['.bmp', '.dib'] },
  { what: 'JPEG 2000 images', names: ['.jp2', '.j2k', '.j2c', '.jpf', '.jpx', '.jpm'] },
  { what: 'JPEG XL images', names: ['.jxl'] },
  // A JPEG under another name: the review panel may not show it under that name, and the output keeps the name.
  { what: 'JPEGs named .jfif or .jpe (rename to .jpg)', names: ['.jfif', '.jpe'] },
  { what: 'multi-picture JPEGs (MPO)', names: ['.mpo'] },
  { what: 'animated PNGs (APNG)', names: ['.apng'] },
  { what: 'SVG images (they can embed photos)', names: ['.svg', '.svgz'] },
  { what: 'icons', names: ['.ico', '.icns'] },
  { what: 'Photoshop files', names: ['.psd', '.psb'] },
  // Face datasets of the 1990s (AT&T/ORL, Yale) are PGM files.
  { what: 'Netpbm images', names: ['.pbm', '.pgm', '.ppm', '.pnm', '.pam', '.pfm'] },
  { what: 'TGA images', names: ['.tga'] },
  { what: 'HDR images', names: ['.exr', '.hdr'] },
  { what: 'camera raw files', names: ['.dng', '.cr2', '.cr3', '.crw', '.nef', '.nrw', '.arw', '.srf', '.sr2', '.orf', '.rw2', '.raf', '.pef', '.srw', '.x3f', '.3fr', '.iiq', '.raw'] },
];

/**
 * Video containers Veil reads: those it writes back in the same container (daemon/video/outputContainers.ts, README
 * "Video"), holding H.264, H.265, VP9 or AV1.
 */
const READABLE_VIDEOS = WRITTEN_EXTENSIONS;

/** Other video containers: refused, with the way out (a remux or re-encode to one of the above keeps every frame). */
const REFUSED_VIDEOS = ['.qt', '.avi', '.wmv', '.asf', '.flv', '.f4v', '.mpg', '.mpeg', '.m2v', '.m2ts', '.vob', '.3gp', '.3g2', '.ogv', '.mxf'];

const VIDEO_REFUSAL = 'this video container is not supported yet (convert it to MP4, MOV, MKV or WebM)';

const KINDS = new Map<string, FaceFileKind>([
  ...READABLE.map((name): [string, FaceFileKind] => [name, { reads: 'image' }]),
  ...READABLE_VIDEOS.map((name): [string, FaceFileKind] => [name, { reads: 'video' }]),
  ...REFUSED_IMAGES.flatMap(({ what, names }) => names.map((name): [string, FaceFileKind] => [name, { refused: `${what} are not supported yet` }])),
  ...REFUSED_VIDEOS.map((name): [string, FaceFileKind] => [name, { refused: VIDEO_REFUSAL }]),
]);

/** What Veil does with a file of this name; undefined for a file that cannot hold a face (a label, a README). */
export function faceFileKind(name: string): FaceFileKind | undefined {
  return KINDS.get(extname(name).toLowerCase());
}

/** Whether Veil reads `name` as a video (the one test of it: scan, detection, commit and verify branch on it). */
export function isVideoName(name: string): boolean {
  const kind = faceFileKind(name);
  return kind !== undefined && 'reads' in kind && kind.reads === 'video';
}
