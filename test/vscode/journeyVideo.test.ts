/**
 * The video journey through the real workbench: a folder holding a generated clip (two faces, one panning, one
 * entering; every frame's faces known by construction) and a photo → "Open Folder with Veil" → Detect from the
 * dataset's menu in the Veil view, whose row for the video shows its duration and tracks → the review on the video:
 * its playable copy plays and steps frame by frame, one timeline lane per track, each track accepted with the
 * workbench's keys, marked reviewed → Commit and Verify from the palette → every frame of the committed video checked
 * against the truth. Screenshots in the dark and the light theme (test-results/vscode/journey-video-*.png).
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import type { ImageRecord } from '../../daemon/protocol';
import { trackBoxAt } from '../../daemon/video/trackGeometry';
import { addKey } from '../support/commitFixtures';
import { REPO_ROOT } from '../support/paths';
import { readReviewImages } from '../support/reviewFiles';
import { makeClip, type ClipSpec, type SyntheticClip } from '../support/syntheticClips';
import { assertEveryFaceHidden } from '../support/videoTruth';
import { veilHomeWithYunet } from './host/samplesWorkbench';
import { fromCheckout, useWorkbench } from './host/workbenchFixture';
import {
  activeWebview,
  answerFileDialog,
  expandSideBarRow,
  notificationText,
  runFromContextMenu,
  runFromPalette,
  screenshotBothThemes,
  sideBarRow,
} from './host/workbenchUi';

const DATASET = 'ward-rounds';
const VIDEO = 'round-07.mp4';
const PHOTO = 'portrait.jpg';
/**
 * 640×360 at 25 fps, 60 frames (2.4 s, listed as 0:02): a face panning right the whole clip, and a second one entering
 * from the right edge at frame 15 and moving left; they never overlap (the panning one ends at x 220 + 144, the other
 * at x 440).
 */
const SPEC: ClipSpec = {
  width: 640,
  height: 360,
  fps: 25,
  frames: 60,
  faces: [
    { keys: [{ frame: 0, x: 20, y: 60, scale: 0.9 }, { frame: 59, x: 220, y: 90, scale: 0.9 }] },
    { keys: [{ frame: 15, x: 560, y: 120, scale: 0.8 }, { frame: 59, x: 440, y: 100, scale: 0.8 }], from: 15 },
  ],
  name: 'round-07',
};
/** Frames stepped with → before the timeline is looked at. */
const STEPS = 3;

/** The video's review record once `check` holds for it (the daemon has saved what the panel sent). */
async function savedVideo(dataset: string, what: string, check: (record: ImageRecord) => boolean): Promise<ImageRecord> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const record = readReviewImages(dataset)[VIDEO];
    if (record && check(record)) return record;
    assert.ok(Date.now() < deadline, `${what}: ${JSON.stringify(record)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the review's <video> element holds: its ready state and the frame its current time falls in. */
function videoState(review: FrameLocator): Promise<{ readyState: number; frame: number; width: number; height: number }> {
  return review.locator('#video').evaluate(
    (element: HTMLVideoElement, fps) => ({ readyState: element.readyState, frame: Math.floor(element.currentTime * fps), width: element.videoWidth, height: element.videoHeight }),
    SPEC.fps,
  );
}

/** Waits until the stage shows frame `frame` of the video, with no seek under way. */
async function waitForFrame(review: FrameLocator, frame: number): Promise<void> {
  await review.locator(`#stage[data-frame="${frame}"]`).waitFor({ timeout: 30_000 });
  await review.locator('#video:not([data-seeking])').waitFor({ timeout: 30_000 });
}

/** The timeline's lanes, top to bottom: track id, state shown, selected. */
function lanes(review: FrameLocator): Promise<Array<{ id: string; kind: string; selected: boolean }>> {
  return review
    .locator('#timeline-lanes .timeline__lane')
    .evaluateAll((elements) => elements.map((lane) => ({ id: (lane as HTMLElement).dataset.trackId!, kind: (lane as HTMLElement).dataset.kind!, selected: lane.classList.contains('is-selected') })));
}

/** Presses `key` in the review (the workbench's keybinding runs the action) and waits until `done` holds. */
async function press(review: FrameLocator, key: string, what: string, done: () => Promise<boolean>): Promise<void> {
  await review.locator('#stage').press(key);
  const deadline = Date.now() + 10_000;
  while (!(await done())) {
    assert.ok(Date.now() < deadline, `${key}: ${what} did not happen`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The workspace: the clip, the photo, and a recipient for the commit (its key beside the dataset). */
async function writeDataset(scratch: string): Promise<{ dataset: string; clip: SyntheticClip }> {
  const dataset = join(scratch, DATASET);
  mkdirSync(dataset);
  const clip = await makeClip(SPEC, dataset);
  copyFileSync(join(REPO_ROOT, 'samples', 'astronaut.jpg'), join(dataset, PHOTO));
  await addKey(dataset);
  return { dataset, clip };
}

describe('journey video: a clip detected, its tracks reviewed with the keys, committed and verified, in the VS Code workbench (code-server, headless Chromium)', function () {
  this.timeout(6 * 60_000);
  let clip: SyntheticClip;
  const fixture = useWorkbench('journey-video-', async (scratch) => {
    const written = await writeDataset(scratch);
    clip = written.clip;
    return fromCheckout(written.dataset, 'Default Dark Modern', { 'veil.daemon.home': veilHomeWithYunet(scratch), 'veil.review.reviewerName': 'Dana Reviewer' });
  });
  const dataset = () => join(fixture.scratch(), DATASET);
  let review: FrameLocator;
  let page: Page;
  /** The tracks detection proposed on the clip. */
  let trackCount: number;

  before(() => {
    page = fixture.workbench().page;
    review = activeWebview(page);
  });

  it('"Open Folder with Veil" lists the dataset; Detect from its menu in the Veil view finds the clip\'s faces as tracks, and the view lists the video with its duration and tracks', async () => {
    const workbench = fixture.workbench();
    await page.locator('.activitybar').getByRole('tab', { name: /^Veil/ }).click();
    const welcome = page.locator('.part.sidebar .welcome-view-content');
    await welcome.getByRole('button', { name: 'Open Folder with Veil' }).click({ timeout: 60_000 });
    await answerFileDialog(page, 'Veil: choose a folder of images to review', `${dataset()}/`, 'Open with Veil');
    await review.locator('#stage[data-ready="true"]').waitFor({ timeout: 60_000 });
    await sideBarRow(page, new RegExp(`${DATASET}.*2 images · 0 % done`)).waitFor({ timeout: 30_000 });

    await runFromContextMenu(page, sideBarRow(page, DATASET), 'Detect Faces in Folder');
    const message = await notificationText(page, 'faces proposed', { timeoutMs: 3 * 60_000 });
    assert.match(message, /in 2 images \(model yunet\): 2 detected now, 0 already done/);
    const record = readReviewImages(dataset())[VIDEO];
    assert.ok(record?.video && record.tracks, `the video has no tracks: ${JSON.stringify(record)}`);
    assert.deepEqual([record.video.width, record.video.height, record.video.frames, record.video.fps], [SPEC.width, SPEC.height, SPEC.frames, SPEC.fps]);
    trackCount = record.tracks.length;
    assert.equal(trackCount, 2, `one track per face expected: ${JSON.stringify(record.tracks.map((track) => [track.state, track.keyframes[0]?.frame, track.keyframes.at(-1)?.frame]))}`);

    await expandSideBarRow(page, DATASET);
    await expandSideBarRow(page, /Unreviewed/);
    const row = sideBarRow(page, VIDEO);
    await row.locator('.label-description', { hasText: '0:02 · 2 tracks' }).waitFor({ timeout: 30_000 });
    await page.mouse.move(0, 0);
    await screenshotBothThemes(workbench, 'journey-video-01-detected');
  });

  it('a click on the video in the Veil view opens its review: the playable copy is shown at frame 0, → steps a frame at a time, and the timeline has a lane per track', async () => {
    await sideBarRow(page, VIDEO).click();
    await review.locator(`#stage[data-ready="true"][data-file="${VIDEO}"]`).waitFor({ timeout: 60_000 });
    await waitForFrame(review, 0);
    const opened = await videoState(review);
    assert.ok(opened.readyState >= 2, `the <video> has no frame to show (readyState ${opened.readyState})`);
    assert.deepEqual([opened.width, opened.height, opened.frame], [SPEC.width, SPEC.height, 0]);
    assert.equal(await review.locator('#image').isVisible(), false);
    // The list's row says what the Veil view says, and what is left to decide; in full on hover when the list cuts it.
    const badge = review.locator(`.filmstrip__row[data-file="${VIDEO}"] .filmstrip__badge`);
    assert.equal(await badge.getAttribute('title'), '0:02 · 2 tracks · 2 to decide');

    await review.locator('#stage').focus();
    for (let frame = 1; frame <= STEPS; frame++) {
      await press(review, 'ArrowRight', `a step to frame ${frame}`, async () => (await review.locator('#stage').getAttribute('data-frame')) === String(frame));
      await waitForFrame(review, frame);
      const shown = await videoState(review);
      assert.ok(shown.readyState >= 2, `frame ${frame}: readyState ${shown.readyState}`);
      assert.equal(shown.frame, frame, `the <video> is at frame ${shown.frame} while the stage says ${frame}`);
    }
    assert.match(await review.locator('#timeline-time').innerText(), new RegExp(`frame ${STEPS} / ${SPEC.frames - 1}`));
    const tracks = readReviewImages(dataset())[VIDEO]!.tracks!;
    const shownLanes = await lanes(review);
    assert.equal(shownLanes.length, trackCount);
    assert.deepEqual(new Set(shownLanes.map((lane) => lane.id)), new Set(tracks.map((track) => track.id)));
    // A box for each track at this frame (the entering face's track is padded back from the frame's edge).
    assert.equal(await review.locator('#boxes .box').count(), tracks.filter((track) => trackBoxAt(track, STEPS) !== null).length);
    await screenshotBothThemes(fixture.workbench(), 'journey-video-02-review');
  });

  it('] selects each track and A accepts it; Enter is refused while one is undecided, and marks the video reviewed once all are: the daemon saves it', async () => {
    const decided = new Set<string>();
    for (let i = 0; i < trackCount; i++) {
      let selected: string | undefined;
      await press(review, ']', `track ${i + 1} selected`, async () => {
        selected = (await lanes(review)).find((lane) => lane.selected && !decided.has(lane.id))?.id;
        return selected !== undefined;
      });
      await press(review, 'a', `track ${selected} accepted`, async () => (await lanes(review)).find((lane) => lane.id === selected)?.kind === 'accepted');
      decided.add(selected!);
      if (i === 0 && trackCount > 1) {
        // Once the A is stored: its confirmation rebuilds the lanes, which would cut the flash short.
        await review.locator('#save-state[data-state="saved"]').waitFor({ timeout: 20_000 });
        await press(review, 'Enter', 'the refusal', async () => /Not marked reviewed: 1 track is still undecided/.test(await review.locator('#error').innerText()));
        assert.equal(await review.locator('.timeline__lane.is-flashing').count(), 1);
        assert.match(await review.locator('#image-status').innerText(), /^unreviewed · /);
      }
    }
    await press(review, 'Enter', 'marked reviewed', async () => /^reviewed · /.test(await review.locator('#image-status').innerText()));
    await review.locator('#save-state[data-state="saved"]').waitFor({ timeout: 20_000 });
    const saved = await savedVideo(dataset(), 'the review was not saved', (record) => record.status === 'reviewed');
    assert.deepEqual(
      saved.tracks!.map((track) => track.state),
      Array(trackCount).fill('accepted'),
    );
    assert.deepEqual(saved.boxes, []);
    // The Veil view follows the panel's save: the video is reviewed, the photo is not.
    await sideBarRow(page, new RegExp(`${DATASET}.*2 images · 50 % done`)).waitFor({ timeout: 30_000 });
    await page.mouse.move(0, 0);
    await screenshotBothThemes(fixture.workbench(), 'journey-video-03-reviewed');
  });

  it('Commit and Verify from the palette: the video is committed, verify finds nothing, and every frame of it hides each face of the truth', async () => {
    await runFromPalette(page, 'Veil: Commit Anonymized Images');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    assert.match(await dialog.innerText(), /1 of 2 images are reviewed \(1 not yet, 0 already committed\)[\s\S]*redacted with fill/);
    await dialog.getByRole('button', { name: 'Commit reviewed images' }).click();
    const committed = await notificationText(page, 'anonymized now', { timeoutMs: 3 * 60_000 });
    assert.match(committed, /1 image\(s\) anonymized now \(fill\), 0 already, 0 excluded/);
    assert.equal(readReviewImages(dataset())[VIDEO]!.status, 'committed');
    await sideBarRow(page, /Committed\s*1/).waitFor({ timeout: 30_000 });

    await runFromPalette(page, 'Veil: Verify Dataset');
    const verified = await notificationText(page, 'Veil: verif', { timeoutMs: 3 * 60_000 });
    assert.match(verified, /verified 1 images, \d+ audit entries, 1 vault objects; no findings/);

    const faceFrames = await assertEveryFaceHidden(clip);
    assert.ok(faceFrames >= 100, `the clip holds ${faceFrames} face-frames`);
  });

  it('the review shows the committed video, read-only, its faces filled at the last frame', async () => {
    await review.locator(`#stage[data-ready="true"][data-file="${VIDEO}"]`).waitFor({ timeout: 60_000 });
    await review.locator('#image-status', { hasText: /^committed \(read-only\)/ }).waitFor({ timeout: 60_000 });
    await review.locator('#stage').focus();
    await press(review, 'End', 'the last frame', async () => (await review.locator('#stage').getAttribute('data-frame')) === String(SPEC.frames - 1));
    await waitForFrame(review, SPEC.frames - 1);
    assert.ok((await videoState(review)).readyState >= 2);
    await page.mouse.move(0, 0);
    await screenshotBothThemes(fixture.workbench(), 'journey-video-04-committed');
  });
});
