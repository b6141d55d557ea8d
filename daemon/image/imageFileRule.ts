/** How an image file is read: the rule every reader of one applies (decode, renditions, scan, verify). Loads no codec. */
import { ErrorCode } from '../protocol';
import type { FileRule } from '../storage/regularFile';

/**
 * The largest image file Veil reads: 512 MB. The whole file is held in memory while it is decoded (and, in a
 * commit, again encrypted), so this bounds what one request can make the daemon hold. It is far above any JPEG,
 * PNG or WebP within the default pixel limit (a 100 MP JPEG is 20–60 MB) and above an uncompressed 8-bit RGBA
 * TIFF of 100 MP (400 MB); what is larger is not an image a person reviews (a disk image, /dev/zero).
 */
export const MAX_IMAGE_FILE_BYTES = 512 * 1024 * 1024;

/** An image file: regular, at most MAX_IMAGE_FILE_BYTES; a folder named like an image is a bad image. */
export const IMAGE_FILE: FileRule = { what: 'an image', maxBytes: MAX_IMAGE_FILE_BYTES, folderCode: ErrorCode.BadImage };
