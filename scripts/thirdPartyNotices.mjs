// Writes THIRD-PARTY-NOTICES.txt: the licence of every package the .vsix ships, read from the package itself.
// Run by `vscode:prepublish` after the build, so `npm run package` puts it into every .vsix (.vscodeignore names it).
//
// What ships is not listed here: it is what vsce packs under node_modules/ (its walk of the production dependency
// tree, `npm list --production`, cut by the .vscodeignore allow-list) and what esbuild bundled into the shipped
// dist/*.js and dist/*.css (their source maps name each module's file). Each package's text: its licence files
// (LICENSE, LICENCE, COPYING, NOTICE, ThirdPartyNotices), else the licence section of its README, else the SPDX id of
// its package.json with where to find the text.
//
// Usage: node scripts/thirdPartyNotices.mjs [--out FILE] [--json]   (--json prints the packages found, for tests)
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import vsce from '@vscode/vsce';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';
const LICENCE_FILE = /^(licen[cs]e|copying|notice|thirdpartynotices)(-[\w.-]+)?(\.(txt|md|markdown))?$/i;
const RULE = '='.repeat(100);

/** The package folder (relative to the root, with forward slashes) a path under node_modules/ lies in: up to its last `node_modules/<name>`. */
function packageDirOf(path) {
  const parts = path.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const name = parts[at + 1]?.startsWith('@') ? parts.slice(at + 1, at + 3) : parts.slice(at + 1, at + 2);
  return [...parts.slice(0, at + 1), ...name].join('/');
}

/** The files of the dataset root's sources that a shipped bundle holds, from its source map (relative to the root). */
function bundledFiles(bundle) {
  const map = join(ROOT, `${bundle}.map`);
  if (!existsSync(map)) throw new Error(`${map} is missing: run \`npm run build\` first (the notices read the bundles' source maps)`);
  const { sources } = JSON.parse(readFileSync(map, 'utf8'));
  return sources.map((source) => relative(ROOT, resolve(dirname(join(ROOT, bundle)), source)).split(sep).join('/'));
}

/** Every package the .vsix ships: package folder → how (its files, or the bundles holding its code). */
export async function shippedPackages() {
  const files = await vsce.listFiles({ cwd: ROOT, packageManager: vsce.PackageManager.Npm });
  const shipped = new Map();
  const add = (dir, how) => shipped.set(dir, [...new Set([...(shipped.get(dir) ?? []), how])]);
  for (const file of files) {
    const dir = packageDirOf(file);
    if (dir) add(dir, `its files in ${dir}/`);
    if (/^dist\/[^/]+\.(js|css)$/.test(file)) {
      for (const source of bundledFiles(file)) {
        const bundled = packageDirOf(source);
        if (bundled) add(bundled, `bundled into ${file}`);
      }
    }
  }
  return new Map([...shipped].sort(([a], [b]) => a.localeCompare(b)));
}

/** The SPDX expression of a package.json (`license`, or the old `licenses` array). */
function spdxOf(manifest) {
  if (typeof manifest.license === 'string') return manifest.license;
  if (manifest.license?.type) return manifest.license.type;
  if (Array.isArray(manifest.licenses)) return manifest.licenses.map((entry) => entry.type ?? entry).join(' OR ');
  return 'UNKNOWN';
}

/** The README's licence section (from its "Licence"/"License"/"Licensing" heading to the next heading as high). */
function readmeLicenceSection(dir) {
  const readme = readdirSync(dir).find((name) => /^readme(\.md)?$/i.test(name));
  if (!readme) return undefined;
  const lines = readFileSync(join(dir, readme), 'utf8').split('\n');
  const start = lines.findIndex((line) => /^#+\s*licen[cs]/i.test(line));
  if (start < 0) return undefined;
  const level = /^#+/.exec(lines[start])[0].length;
  const end = lines.findIndex((line, i) => i > start && /^#+\s/.test(line) && /^#+/.exec(line)[0].length <= level);
  return lines.slice(start, end < 0 ? undefined : end).join('\n').trim();
}

function repositoryOf(manifest) {
  const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
  return repository ?? manifest.homepage ?? `https://www.npmjs.com/package/${manifest.name}`;
}

/**
 * Licence texts Veil carries for packages that name a licence but hold no text of it: the static ffmpeg and ffprobe
 * builds (`@ffmpeg-installer/linux-x64`, `@ffprobe-installer/linux-x64`) name GPLv3 and ship only the binary.
 */
const CARRIED_TEXTS = [{ spdx: /^GPL-?v?3(\.0)?(-or-later|\+)?$/i, file: 'scripts/licences/GPL-3.0.txt' }];

function carriedText(spdx) {
  const carried = CARRIED_TEXTS.find((entry) => entry.spdx.test(spdx));
  if (!carried) return undefined;
  return `--- ${spdx}: the package holds no licence file; the text of the licence it names, from ${carried.file} ---\n${readFileSync(join(ROOT, carried.file), 'utf8').trim()}`;
}

/** One package's entry: the facts the test reads (name, version, SPDX id, licence files) and its text. */
export function packageNotice(dir, how) {
  const folder = join(ROOT, dir);
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  const licenceFiles = readdirSync(folder).filter((name) => LICENCE_FILE.test(name)).sort();
  const texts = licenceFiles.map((name) => `--- ${name} ---\n${readFileSync(join(folder, name), 'utf8').trim()}`);
  const readme = texts.length === 0 ? readmeLicenceSection(folder) : undefined;
  const carried = texts.length === 0 && !readme ? carriedText(spdxOf(manifest)) : undefined;
  const body =
    texts.length > 0 ? texts
    : readme ? [`--- the licence section of its README (the package holds no licence file) ---\n${readme}`]
    : carried ? [carried]
    : [`The package holds no licence text; its package.json names the licence ${spdxOf(manifest)}. Its source: ${repositoryOf(manifest)}`];
  return {
    name: manifest.name,
    version: manifest.version,
    spdx: spdxOf(manifest),
    licenceFiles: licenceFiles.map((name) => `${dir}/${name}`),
    text: [RULE, `${manifest.name}@${manifest.version} (${spdxOf(manifest)})`, `Shipped as: ${how.join('; ')}.`, `Source: ${repositoryOf(manifest)}`, '', ...body, ''].join('\n'),
  };
}

export function noticesText(notices) {
  const veil = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const head = [
    `THIRD-PARTY NOTICES for ${veil.displayName ?? veil.name} ${veil.version}`,
    '',
    `${veil.displayName ?? veil.name} itself is licensed under ${veil.license} (LICENSE). This package also holds the ${notices.length} packages below, each`,
    'under its own licence, whose texts follow as each package gives them. Made by scripts/thirdPartyNotices.mjs when the',
    'package was built, from what it holds: the files packed under node_modules/ and the packages bundled into dist/.',
    '',
  ];
  return [...head, ...notices.map((notice) => notice.text)].join('\n');
}

async function main(argv) {
  const outAt = argv.indexOf('--out');
  const out = outAt >= 0 ? resolve(argv[outAt + 1]) : join(ROOT, NOTICES_FILE);
  const notices = [...(await shippedPackages())].map(([dir, how]) => ({ dir, ...packageNotice(dir, how) }));
  writeFileSync(out, noticesText(notices));
  if (argv.includes('--json')) console.log(JSON.stringify(notices.map(({ dir, name, version, spdx, licenceFiles }) => ({ dir, name, version, spdx, licenceFiles }))));
  else console.log(`${relative(process.cwd(), out)}: the licences of ${notices.length} shipped packages`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
