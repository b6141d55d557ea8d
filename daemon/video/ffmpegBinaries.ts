/**
 * Where ffmpeg and ffprobe are: the one home of that answer. In order: `VEIL_FFMPEG` / `VEIL_FFPROBE` (absolute
 * paths to a system build), else the binaries inside the npm packages `@ffmpeg-installer/<platform>` and
 * `@ffprobe-installer/<platform>` (static builds shipped in the package tarballs, nothing downloaded at install;
 * README "Video" says why these). The platform package is resolved by its package.json (as the model registry finds
 * the BlazeFace package), so the same code works from out/ (tests), from the dist/daemon.js bundle (esbuild leaves
 * a computed `require.resolve` alone) and from an installed .vsix (.vscodeignore ships both platform packages).
 * Both tools always run as separate child processes (GPLv3 builds: see README "Video").
 */
import { constants } from 'node:fs';
import { access, chmod, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { ErrorCode } from '../protocol';
import { VeilError } from '../errors';

export type VideoTool = 'ffmpeg' | 'ffprobe';

/** The environment variable that points at a system build of each tool. */
export const TOOL_ENV: Record<VideoTool, string> = { ffmpeg: 'VEIL_FFMPEG', ffprobe: 'VEIL_FFPROBE' };

/** The npm scope each tool's platform packages are published under. */
const TOOL_SCOPE: Record<VideoTool, string> = { ffmpeg: '@ffmpeg-installer', ffprobe: '@ffprobe-installer' };

const found = new Map<VideoTool, Promise<string>>();

/** The absolute path of `tool`, checked runnable once per process; a VideoToolMissing error says what was tried. */
export function videoToolPath(tool: VideoTool): Promise<string> {
  let path = found.get(tool);
  if (!path) {
    path = locate(tool);
    // A failure is not cached: the user may set the variable or reinstall and retry without a restart.
    path.catch(() => found.delete(tool));
    found.set(tool, path);
  }
  return path;
}

async function locate(tool: VideoTool): Promise<string> {
  const fromEnv = process.env[TOOL_ENV[tool]];
  if (fromEnv) return checkedSystemBinary(tool, fromEnv);
  return checkedPackagedBinary(tool, packagedBinaryPath(tool));
}

function missing(tool: VideoTool, cause: string): VeilError {
  return new VeilError(ErrorCode.VideoToolMissing, `${tool} is not available: ${cause}`);
}

async function checkedSystemBinary(tool: VideoTool, path: string): Promise<string> {
  const variable = TOOL_ENV[tool];
  if (!isAbsolute(path)) throw missing(tool, `${variable}=${path} is not an absolute path`);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw missing(tool, `${variable}=${path} is not a file`);
  if (!(await isExecutable(path))) throw missing(tool, `${variable}=${path} is not executable`);
  return path;
}

/** Where the platform package's binary is; a missing package (another platform, a broken install) is a coded error. */
function packagedBinaryPath(tool: VideoTool): string {
  const name = `${TOOL_SCOPE[tool]}/${process.platform}-${process.arch}`;
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    throw missing(tool, `the npm package ${name} is not installed (no build for this platform?); set ${TOOL_ENV[tool]} to a system ${tool}`);
  }
  return join(dirname(manifest), process.platform === 'win32' ? `${tool}.exe` : tool);
}

/**
 * The packaged binary, made executable if it is not: its package's postinstall (`chmod u+x`) does not run when
 * install scripts are off (npm 11 `allowScripts`, `--ignore-scripts`), and a .vsix may be unpacked without modes.
 */
async function checkedPackagedBinary(tool: VideoTool, path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw missing(tool, `${path} is missing; reinstall Veil, or set ${TOOL_ENV[tool]} to a system ${tool}`);
  if (await isExecutable(path)) return path;
  try {
    await chmod(path, info.mode | 0o111);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw missing(tool, `${path} is not executable and cannot be made so (${code}); run \`chmod +x ${path}\` or set ${TOOL_ENV[tool]}`);
  }
  return path;
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}
